// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// A flaky WeChat: 5xx, slow answers past `upstream.timeout`, dropped connections and resets mid-body, on
/// proxied calls and on the token endpoint. Each fault gets the documented answer (or a kept token), and the
/// next call through the same daemon succeeds.
@Suite struct UpstreamFaultTests {
    struct ProxiedFault: Sendable, CustomTestStringConvertible {
        var name: String
        var fault: EmulatorFault
        /// What the caller sees: WeChat's own status passed through, or the sidecar's 502/504.
        var status: Int
        var errcode: Int?
        /// `wxsidecar_upstream_errors_total{kind=…}` counted, if the sidecar saw a transport failure.
        var upstreamErrorKind: String?
        var testDescription: String { name }
    }

    static let proxiedFaults: [ProxiedFault] = [
        ProxiedFault(
            name: "HTTP 500 with a JSON body is passed through",
            fault: EmulatorFault(pathPrefix: "/echo/fault", action: .httpStatus(500, body: #"{"errcode":-1,"errmsg":"system error"}"#), count: 1),
            status: 500, errcode: -1),
        ProxiedFault(
            name: "HTTP 502 with a text body is passed through",
            fault: EmulatorFault(pathPrefix: "/echo/fault", action: .httpStatus(502, body: "bad gateway"), count: 1),
            status: 502, errcode: nil),
        ProxiedFault(
            name: "HTTP 503 is passed through",
            fault: EmulatorFault(pathPrefix: "/echo/fault", action: .httpStatus(503, body: "unavailable"), count: 1),
            status: 503, errcode: nil),
        ProxiedFault(
            name: "errcode -1 (system busy) is passed through",
            fault: EmulatorFault(pathPrefix: "/echo/fault", action: .errcode(-1, errmsg: nil), count: 1),
            status: 200, errcode: -1),
        ProxiedFault(
            // libcurl resends once on a fresh connection when a reused one closes before any answer.
            name: "a dropped connection (twice) is 502",
            fault: EmulatorFault(pathPrefix: "/echo/fault", action: .dropConnection, count: 2),
            status: 502, errcode: -1, upstreamErrorKind: "empty_reply"),
        ProxiedFault(
            name: "a reset mid-body is 502",
            fault: EmulatorFault(pathPrefix: "/echo/fault", action: .resetMidBody, count: 1),
            status: 502, errcode: -1),
        ProxiedFault(
            name: "an answer slower than upstream.timeout is 504",
            fault: EmulatorFault(pathPrefix: "/echo/fault", action: .none, count: 1, delay: .seconds(6)),
            status: 504, errcode: -1, upstreamErrorKind: "timeout"),
        ProxiedFault(
            name: "a 500 after a delay inside the timeout is passed through",
            fault: EmulatorFault(pathPrefix: "/echo/fault", action: .httpStatus(500, body: "late"), count: 1, delay: .milliseconds(400)),
            status: 500, errcode: nil),
    ]

    @Test(arguments: proxiedFaults)
    func proxiedCallFaultGetsTheDocumentedAnswerAndTheNextCallSucceeds(_ fault: ProxiedFault) async throws {
        var options = SidecarHarness.Options()
        options.upstreamTimeout = 3
        try await withSidecar(options) { harness in
            #expect(try await harness.send("GET", "/echo/warm").status == 200)  // a pooled connection to break
            harness.emulator.knobs.addFault(fault.fault)
            let response = try await harness.send("POST", "/echo/fault", body: "{}")
            #expect(response.status == fault.status, "\(response.text)")
            #expect(response.errcode == fault.errcode, "\(response.text)")
            #expect(response.header("x-openapi-seqid") != nil)
            if let kind = fault.upstreamErrorKind {
                #expect(harness.metric(#"wxsidecar_upstream_errors_total{kind="\#(kind)"}"#) >= 1, "\(harness.app.metrics.render().count)")
            }
            // The same daemon, the same pool: the next calls succeed.
            for _ in 0..<3 {
                let next = try await harness.send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody)
                #expect(next.status == 200 && next.errcode == 0, "\(next.text)")
            }
            #expect(try await harness.readiness() == 200)
            #expect(harness.emulator.knobs.faults.isEmpty, "the fault was used up")
        }
    }

    @Test func slowUpstreamCallsDoNotHoldUpOthers() async throws {
        var options = SidecarHarness.Options()
        options.upstreamTimeout = 3
        try await withSidecar(options) { harness in
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/slow", action: .none, delay: .seconds(8)))
            let started = ContinuousClock.now
            let (slow, fast) = try await withThrowingTaskGroup(of: (Bool, Int, Duration).self) { group in
                for index in 0..<16 {
                    let isSlow = index % 2 == 0
                    group.addTask {
                        let response = try await harness.send("GET", isSlow ? "/echo/slow" : "/echo/fast")
                        return (isSlow, response.status, ContinuousClock.now - started)
                    }
                }
                var slow: [(Int, Duration)] = []
                var fast: [(Int, Duration)] = []
                for try await (isSlow, status, elapsed) in group {
                    if isSlow { slow.append((status, elapsed)) } else { fast.append((status, elapsed)) }
                }
                return (slow, fast)
            }
            #expect(slow.allSatisfy { $0.0 == 504 }, "\(slow)")
            #expect(fast.allSatisfy { $0.0 == 200 }, "\(fast)")
            // Every fast call is answered before the first slow one gives up, and no slow call outlives the timeout
            // by much (8 s of upstream delay, 3 s of timeout).
            let fastest = slow.map(\.1).min() ?? .zero
            #expect(fast.allSatisfy { $0.1 < fastest }, "fast calls waited for slow ones: \(fast) vs \(slow)")
            #expect(slow.allSatisfy { $0.1 < .seconds(6) }, "a slow call outlived upstream.timeout: \(slow)")
        }
    }

    struct TokenEndpointFault: Sendable, CustomTestStringConvertible {
        var name: String
        var action: EmulatorFault.Action
        var delay: Duration = .zero
        var testDescription: String { name }
    }

    static let tokenEndpointFaults: [TokenEndpointFault] = [
        TokenEndpointFault(name: "HTTP 500", action: .httpStatus(500, body: "internal error")),
        TokenEndpointFault(name: "HTTP 502 with JSON", action: .httpStatus(502, body: #"{"errcode":-1}"#)),
        TokenEndpointFault(name: "errcode -1", action: .errcode(-1, errmsg: nil)),
        TokenEndpointFault(name: "errcode 45011 (per-minute quota)", action: .errcode(45011, errmsg: nil)),
        TokenEndpointFault(name: "a dropped connection", action: .dropConnection),
        TokenEndpointFault(name: "a reset mid-body", action: .resetMidBody),
        TokenEndpointFault(name: "slower than upstream.timeout", action: .none, delay: .seconds(4)),
        TokenEndpointFault(name: "HTTP 200 that is not JSON", action: .httpStatus(200, body: "<html>gateway</html>")),
        TokenEndpointFault(name: "JSON without a token", action: .httpStatus(200, body: #"{"expires_in":7200}"#)),
        TokenEndpointFault(
            name: "a token with a line break (never written to the file)",
            action: .httpStatus(200, body: #"{"access_token":"abc\ndef","expires_in":7200}"#)),
        TokenEndpointFault(
            name: "a non-positive expires_in", action: .httpStatus(200, body: #"{"access_token":"abc","expires_in":0}"#)),
    ]

    @Test(arguments: tokenEndpointFaults)
    func tokenEndpointFaultIsTransientKeepsTheOldTokenAndTheNextRefreshSucceeds(_ fault: TokenEndpointFault) async throws {
        var options = SidecarHarness.Options()
        options.upstreamTimeout = 1.5
        try await withSidecar(options) { harness in
            let held = try #require(harness.app.tokens.validToken())
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/stable_token", action: fault.action, delay: fault.delay))
            guard case .failure(let error) = await harness.app.refresher.refresh() else {
                Issue.record("the refresh succeeded through the fault")
                return
            }
            #expect(error.pace == .fast, "\(error.label): \(error.message)")
            #expect(!error.isConfigurationError)
            #expect(harness.app.tokens.validToken() == held)
            #expect(harness.tokenFileContent == held.value)
            #expect(try await harness.checkPasses())
            #expect(try await harness.readiness() == 200)
            let next = try #require(harness.app.tokens.current.nextRefreshAt)
            #expect(next - WallClock.now() <= 2, "a transient failure is retried within seconds")
            harness.emulator.knobs.clearFaults()
            // A scheduled retry that started before the faults were cleared may still fail; a later one succeeds.
            let refresher = harness.app.refresher
            try await eventually("a refresh that succeeds once the fault is gone", timeout: .seconds(15)) {
                if case .success(let token) = await refresher.refresh() { return token.value == held.value }
                return false
            }
            #expect(harness.app.tokens.validToken()?.value == held.value, "stable mode: the same token back")
        }
    }
}
