// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// A caller cannot drive the token endpoint: answers that say "token invalid" while the token is fine cost at
/// most a handful of token calls and never a forced rotation, and a real invalidation is still recovered with
/// exactly one force.
@Suite struct RecoveryAbuseTests {
    @Test func a100CallsAnswered40001WithAHealthyTokenCauseAHandfulOfTokenCallsAndNoForce() async throws {
        try await withSidecar { harness in
            let stats = { harness.emulator.knobs.stats }
            // First a real invalidation: recovered with one force (the stable endpoint keeps handing out the dead
            // token, WeChat's probe rejects it).
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: TokenProbe.path, action: .errcode(40001, errmsg: nil), count: 1))
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/real", action: .errcode(40001, errmsg: nil), count: 1))
            let real = try await harness.send("GET", "/echo/real")
            #expect(real.errcode == 0)
            #expect(stats().forceRefreshRequests == 1)
            let healthy = try #require(harness.app.tokens.validToken())

            // Then a hostile API that answers 40001 to everything, 100 calls, 10 at a time.
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/hostile", action: .errcode(40001, errmsg: nil)))
            let tokenCallsBefore = stats().requests(to: "/cgi-bin/stable_token")
            let probesBefore = stats().requests(to: TokenProbe.path)
            try await withThrowingTaskGroup(of: Int?.self) { group in
                for batch in 0..<10 {
                    for call in 0..<10 {
                        group.addTask { try await harness.send("GET", "/echo/hostile/\(batch)-\(call)").errcode }
                    }
                    for try await errcode in group.prefix(10) { #expect(errcode == 40001) }
                }
            }
            let tokenCalls = stats().requests(to: "/cgi-bin/stable_token") - tokenCallsBefore
            let probes = stats().requests(to: TokenProbe.path) - probesBefore
            #expect(tokenCalls <= 1, "normal fetches: at most one per failing token per 30 s")
            #expect(probes <= 5, "probes: at most one per 5 s")
            #expect(stats().forceRefreshRequests == 1, "no forced rotation for answers no probe confirms")
            #expect(stats().forcedRotations == 1)
            #expect(harness.app.tokens.validToken()?.value == healthy.value)
            // Every hostile call reached the upstream once: none was retried.
            #expect(stats().requestsByPath.filter { $0.key.hasPrefix("/echo/hostile") }.values.reduce(0, +) == 100)
            let outcomes = ["shared", "throttled", "token_alive", "fetched_newer"].map {
                harness.metric("wxsidecar_token_recoveries_total{result=\"\($0)\"}")
            }
            #expect(outcomes.reduce(0, +) == 100)
        }
    }

    @Test func aRejectionOfAnOldTokenCausesNoTokenCall() async throws {
        try await withSidecar { harness in
            let before = harness.emulator.knobs.stats
            #expect(await harness.app.refresher.recover(from: "an-old-token-no-longer-held") != nil)
            let after = harness.emulator.knobs.stats
            #expect(after.requests(to: "/cgi-bin/stable_token") == before.requests(to: "/cgi-bin/stable_token"))
            #expect(after.requests(to: TokenProbe.path) == 0)
            #expect(harness.metric(#"wxsidecar_token_recoveries_total{result="newer_token_held"}"#) == 1)
        }
    }
}
