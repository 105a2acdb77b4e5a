// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// `upstream.fallback_urls` end to end, against primaries that fail in each way that matters: a call whose
/// request never left goes to the next URL once; a call that may have reached WeChat is never sent again.
@Suite struct FallbackTests {
    static let check = #"{"version":2,"openid":"o1","scene":1,"content":"hello"}"#

    @Test func aPrimaryThatRefusesConnectionsFallsBackAndIsSkippedAfterThreeFailures() async throws {
        let refusing = try ReservedPort()
        let primary = "https://127.0.0.1:\(refusing.port)"
        var options = SidecarHarness.Options()
        options.upstreamURLs = { emulator in [primary, emulator] }
        try await withSidecar(options) { harness in
            let emulator = "https://localhost:\(harness.emulatorPort)"
            let fallbacks = "wxsidecar_upstream_fallbacks_total{from=\"\(primary)\",to=\"\(emulator)\"}"
            // The token fetch at start fell back already.
            let atStart = harness.metric(fallbacks)
            #expect(atStart >= 1)
            let response = try await harness.send("POST", "/wxa/msg_sec_check", body: Self.check)
            #expect(response.status == 200)
            #expect(response.errcode == 0)
            #expect(harness.metric(fallbacks) == atStart + 1)
            #expect(harness.metric("wxsidecar_upstream_in_use{url=\"\(emulator)\"}") == 1)
            #expect(harness.metric("wxsidecar_upstream_in_use{url=\"\(primary)\"}") == 0)

            // Until its third failure to connect the primary is tried first; then it is skipped.
            for _ in 0..<2 where try await Self.primaryState(harness)?["state"] as? String != "cooling_down" {
                _ = try await harness.send("POST", "/echo/x", body: "again")
            }
            let cooling = try #require(try await Self.primaryState(harness))
            #expect(cooling["state"] as? String == "cooling_down")
            #expect((1...30).contains(cooling["cooldown_remaining_seconds"] as? Int ?? 0))
            let skipped = harness.metric(fallbacks)
            #expect(try await harness.send("POST", "/echo/x", body: "skipped").status == 200)
            #expect(harness.metric(fallbacks) == skipped)
            let upstream = try await harness.send("GET", "/-/status").json["upstream"] as? [String: Any]
            #expect(upstream?["in_use"] as? String == emulator)
            #expect(upstream?["base_url"] as? String == primary)
        }
    }

    @Test func aPrimaryThatHangsInTheTLSHandshakeFallsBackAfterTheConnectTimeout() async throws {
        try await withSilentListener { silent in
            let primary = "https://127.0.0.1:\(silent.port)"
            var options = SidecarHarness.Options()
            options.upstreamURLs = { emulator in [primary, emulator] }
            options.upstreamLines = ["  connect_timeout: 1"]
            try await withSidecar(options) { harness in
                let emulator = "https://localhost:\(harness.emulatorPort)"
                let fallbacks = "wxsidecar_upstream_fallbacks_total{from=\"\(primary)\",to=\"\(emulator)\"}"
                let atStart = harness.metric(fallbacks)
                let accepted = silent.accepted.items.count
                let started = ContinuousClock.now
                let response = try await harness.send("POST", "/wxa/msg_sec_check", body: Self.check)
                let elapsed = ContinuousClock.now - started
                #expect(response.status == 200)
                #expect(response.errcode == 0)
                #expect(elapsed >= .seconds(1))
                #expect(harness.metric(fallbacks) == atStart + 1)
                #expect(silent.accepted.items.count > accepted)
                #expect(harness.metric("wxsidecar_upstream_errors_total{kind=\"timeout\"}") == 0)
            }
        }
    }

    @Test func aPrimaryThatClosesAfterReadingTheRequestIsNotRetriedElsewhere() async throws {
        let tls = try TestTLS.shared()
        let fallbackConfiguration = EmulatorConfiguration(
            tls: .init(certificatePath: tls.certificatePath, privateKeyPath: tls.privateKeyPath))
        try await withEmulator(fallbackConfiguration, caFile: tls.caPath) { fallback in
            let second = "https://127.0.0.1:\(fallback.port)"
            var options = SidecarHarness.Options()
            options.upstreamURLs = { emulator in [emulator, second] }
            options.emulatorFaults = [EmulatorFault(pathPrefix: "/wxa/msg_sec_check", action: .dropConnection)]
            try await withSidecar(options) { harness in
                let response = try await harness.send("POST", "/wxa/msg_sec_check", body: Self.check)
                #expect(response.status == 502)
                #expect(response.errcode == -1)
                // At least once: libcurl itself sends a request again, on a fresh connection, when a reused
                // keep-alive connection closes before any byte of an answer (its stale-connection rule).
                #expect(harness.emulator.knobs.stats.requests(to: "/wxa/msg_sec_check") >= 1)
                #expect(fallback.knobs.stats.requests(to: "/wxa/msg_sec_check") == 0)
                #expect(harness.metric("wxsidecar_upstream_fallbacks_total") == 0)
                #expect(harness.metric("wxsidecar_upstream_errors_total{kind=\"empty_reply\"}") == 1)
                let upstream = try await harness.send("GET", "/-/status").json["upstream"] as? [String: Any]
                #expect(upstream?["in_use"] as? String == "https://localhost:\(harness.emulatorPort)")
            }
        }
    }

    @Test func aSignedCallThatFallsBackIsSignedForTheURLItIsSentTo() async throws {
        let refusing = try ReservedPort()
        let keys = try ApiSecurityKeys(appid: "wx0123456789abcdef")
        let files = try TemporaryDirectory()
        try await withTeardown {
            var options = SidecarHarness.Options()
            options.upstreamURLs = { emulator in ["https://127.0.0.1:\(refusing.port)", emulator] }
            options.whitelist += "\(ApiSecurityEndToEndTests.path)\n"
            options.emulatorApiSecurity = [try keys.emulator(requiredPaths: [ApiSecurityEndToEndTests.path])]
            options.extraYAML = try keys.yaml(in: files)
            options.environment = keys.environment
            try await withSidecar(options) { harness in
                let answer = try await harness.send("POST", ApiSecurityEndToEndTests.path, body: ApiSecurityEndToEndTests.riskCheck)
                // The emulator checks the signature over its own URL and signs its answer over it.
                #expect(answer.status == 200, "\(answer.text)")
                #expect(answer.errcode == 0)
                #expect(harness.emulator.knobs.stats.apiSecurityCalls == 1)
                #expect(harness.metric("wxsidecar_upstream_fallbacks_total") >= 2)
            }
        } teardown: {
            files.remove()
        }
    }

    @Test func withoutFallbacksTheStatusShowsThePrimaryInUse() async throws {
        try await withSidecar { harness in
            let upstream = try await harness.send("GET", "/-/status").json["upstream"] as? [String: Any]
            let primary = "https://localhost:\(harness.emulatorPort)"
            #expect(upstream?["in_use"] as? String == primary)
            let urls = upstream?["urls"] as? [[String: Any]]
            #expect(urls?.count == 1)
            #expect(urls?.first?["url"] as? String == primary)
            #expect(urls?.first?["state"] as? String == "up")
            #expect(upstream?["proxy"] is NSNull)
            #expect(harness.metric("wxsidecar_upstream_in_use{url=\"\(primary)\"}") == 1)
        }
    }

    /// The primary's entry in `/-/status` `upstream.urls`.
    static func primaryState(_ harness: SidecarHarness) async throws -> [String: Any]? {
        let upstream = try await harness.send("GET", "/-/status").json["upstream"] as? [String: Any]
        return (upstream?["urls"] as? [[String: Any]])?.first
    }
}
