// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// Long outages of WeChat: down when the sidecar starts, and a token endpoint that answers -1 for longer than
/// the held token lives.
@Suite struct UpstreamOutageTests {
    @Test func upstreamDownAtStartIsNotReadyRetriesAndBecomesReadyWhenItReturns() async throws {
        let reserved = try ReservedPort()
        defer { reserved.release() }
        let port = reserved.port
        var options = SidecarHarness.Options()
        options.tls = false
        options.upstreamOverride = "http://127.0.0.1:\(port)"
        options.waitForToken = false
        try await withSidecar(options) { harness in
            #expect(try await harness.readiness() == 503)
            let early = try await harness.send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody)
            #expect(early.status == 503)
            #expect(early.errcode == 85113)
            try await eventually("three failed attempts", timeout: .seconds(20)) {
                harness.metric(#"wxsidecar_token_refreshes_total{result="error"}"#) >= 3
            }
            #expect(try await harness.readiness() == 503)
            #expect(harness.app.tokens.current.lastResult == "error")
            #expect(!FileManager.default.fileExists(atPath: harness.tokenFile))
            #expect(harness.logs.contains("access_token refresh failed"))

            // WeChat comes back on the same address.
            reserved.release()
            try await withEmulator(EmulatorConfiguration(port: port, secret: SidecarHarness.secret)) { upstream in
                try await withTimeout(.seconds(30), "the first token once the upstream is back") {
                    await harness.app.tokens.waitForToken()
                }
                #expect(try await harness.readiness() == 200)
                #expect(try await harness.checkPasses())
                let token = try #require(harness.app.tokens.validToken())
                #expect(upstream.knobs.check(token: token.value) == .valid)
                try await eventually("the token file") { harness.tokenFileContent == token.value }
            }
        }
    }

    @Test func tokenEndpointAnsweringMinusOneKeepsTheOldTokenUntilItTrulyExpires() async throws {
        var options = SidecarHarness.Options()
        options.tls = false
        options.tokenLifetime = 14
        try await withSidecar(options) { harness in
            harness.emulator.knobs.setOverlap(2)
            let held = try #require(harness.app.tokens.validToken())
            harness.emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/cgi-bin/stable_token", action: .errcode(-1, errmsg: nil)))
            let fetchesBefore = harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token")

            // While the held token lives: proxied, ready, in the file. (The last second is left alone: the
            // emulator's and the sidecar's clocks for the token's death differ by the fetch's latency.)
            // A sample counts only if it was taken entirely while the token had more than a second to live.
            var checks = 0
            while WallClock.now() < held.expiresAt - 1 {
                let passes = try await harness.checkPasses()
                let ready = try await harness.readiness()
                let file = harness.tokenFileContent
                let heldNow = harness.app.tokens.validToken()?.value
                guard WallClock.now() < held.expiresAt - 1 else { break }
                #expect(passes, "a call while the old token is valid")
                #expect(ready == 200)
                #expect(file == held.value)
                #expect(heldNow == held.value)
                checks += 1
                try await Task.sleep(for: .milliseconds(200))  // pacing the sampling, not waiting for an event
            }
            #expect(checks >= 3)
            let failures = harness.metric(#"wxsidecar_token_refreshes_total{result="error"}"#)
            #expect(failures >= 3, "the refresher kept trying")
            let fetchesDuring = harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token") - fetchesBefore
            #expect(fetchesDuring <= 10, "backoff: \(fetchesDuring) token requests in ~13 s")

            // Once it is dead: not ready, 85113, the file removed rather than left holding a dead token.
            try await eventually("readiness to drop", timeout: .seconds(5)) { try await harness.readiness() == 503 }
            #expect(WallClock.now() >= held.expiresAt, "readiness dropped before the token expired")
            let late = try await harness.send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody)
            #expect(late.status == 503)
            #expect(late.errcode == 85113)
            try await eventually("the dead token's file to be removed", timeout: .seconds(10)) {
                harness.metric(#"wxsidecar_token_file_writes_total{result="removed"}"#) == 1
            }
            #expect(!FileManager.default.fileExists(atPath: harness.tokenFile))
            #expect(harness.logs.contains("expired with no replacement"))

            // WeChat recovers: a new token within the backoff (at most 60 s by design; ~30 s here).
            harness.emulator.knobs.clearFaults()
            try await eventually("a new token after the outage", timeout: .seconds(45)) {
                harness.app.tokens.validToken() != nil
            }
            #expect(try await harness.readiness() == 200)
            #expect(try await harness.checkPasses())
            let fresh = try #require(harness.app.tokens.validToken())
            try await eventually("the new token's file") { harness.tokenFileContent == fresh.value }
        }
    }
}
