// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import HTTPTypes
import NIOCore
@testable import Sidecar
import SidecarCore
import TestSupport
import Testing
import WeChatEmulator

/// Who may call the sidecar: a unix socket, a caller key, address blocks, and limits on what a caller
/// may send (header size, slow headers, concurrent requests, per-path quotas).
@Suite struct CallerRestrictionTests {
    @Test func unixSocketListenerServesAndHasTheConfiguredMode() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var options = SidecarHarness.Options()
        options.listen = "unix:\(directory.path("wxsidecar.sock"))"
        options.extraYAML = "listen_socket_mode: \"0600\""
        try await withSidecar(options) { harness in
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.path("wxsidecar.sock"))
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let response = try await RawHTTPClient.send(
                "GET /echo/over-unix HTTP/1.1\r\nHost: sidecar\r\nConnection: close\r\n\r\n",
                unixSocket: directory.path("wxsidecar.sock"))
            #expect(response.status == 200)
            #expect(response.text.contains("/echo/over-unix"))
        }
    }

    @Test func callerKeyIsRequiredComparedAndNeverForwarded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keyFile = try directory.write("k3y-0123456789abcdef\n", to: "caller.key")
        var options = SidecarHarness.Options()
        options.extraYAML = "auth:\n  key_file: \"\(keyFile)\""
        try await withSidecar(options) { harness in
            let missing = try await harness.send("GET", "/echo/x")
            #expect(missing.status == 401)
            #expect(missing.text.contains("x-wxsidecar-key"))
            let wrong = try await harness.send("GET", "/echo/x", headers: [("X-WXSidecar-Key", "k3y-0123456789abcdeF")])
            #expect(wrong.status == 401)
            let right = try await harness.send("GET", "/echo/x", headers: [("X-WXSidecar-Key", "k3y-0123456789abcdef")])
            #expect(right.status == 200)
            let forwarded = try #require(right.json["headers"] as? [String: Any])
            #expect(!forwarded.keys.contains { $0.lowercased() == "x-wxsidecar-key" })
            #expect(try await harness.send("GET", "/-/ready").status == 200)
            #expect(try await harness.send("GET", "/-/status").status == 401)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/x") == 1)
            #expect(!harness.logs.contains("k3y-0123456789abcdef"))
        }
    }

    @Test func callersOutsideAllowCIDRsAreRefusedLoopbackIsNot() throws {
        var callers = SidecarConfiguration.Callers()
        callers.allowCIDRs = [try #require(CIDRBlock(parsing: "10.0.0.0/8"))]
        let gate = CallerGate(callers)
        let outside = try SocketAddress(ipAddress: "192.168.7.7", port: 5000)
        let inside = try SocketAddress(ipAddress: "10.20.30.40", port: 5000)
        let loopback = try SocketAddress(ipAddress: "127.0.0.1", port: 5000)
        #expect(gate.check(remote: outside, sentKey: nil, rawTarget: "/echo/x").refusal?.status == 403)
        #expect(gate.check(remote: inside, sentKey: nil, rawTarget: "/echo/x").refusal == nil)
        #expect(gate.check(remote: loopback, sentKey: nil, rawTarget: "/echo/x").refusal == nil)
        #expect(gate.check(remote: outside, sentKey: nil, rawTarget: "/-/healthy").refusal?.status == 403)
    }

    @Test func oversizedHeadersAre400() async throws {
        var options = SidecarHarness.Options()
        options.extraLimits = "  max_header_bytes: 4096"
        try await withSidecar(options) { harness in
            let big = String(repeating: "a", count: 3000)
            let response = try await RawHTTPClient.send(
                "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A: \(big)\r\nX-B: \(big)\r\nConnection: close\r\n\r\n",
                port: harness.sidecarPort)
            #expect(response.status == 400)
            #expect(response.text.contains("headers too large"))
            #expect(try await harness.send("GET", "/echo/small").status == 200)
        }
    }

    @Test func slowHeadersAreCutOffWith408() async throws {
        var options = SidecarHarness.Options()
        options.extraLimits = "  header_timeout: 0.5"
        try await withSidecar(options) { harness in
            let started = ContinuousClock.now
            // Half a request head, never finished: the server answers 408 and closes.
            let response = try await RawHTTPClient.send("GET /echo/x HTTP/1.1\r\nHost: x\r\n", port: harness.sidecarPort)
            #expect(response.status == 408)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await harness.send("GET", "/echo/after").status == 200)
        }
    }

    @Test func requestsBeyondTheConcurrencyLimitGet503() async throws {
        var options = SidecarHarness.Options()
        options.extraLimits = "  max_concurrent_requests: 2"
        options.upstreamTimeout = 20  // the slow calls' 8 s must not meet the timeout on a loaded machine
        try await withSidecar(options) { harness in
            // Slow enough that the third call is made while both are still in flight, even on a loaded machine.
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/slow", action: .none, delay: .seconds(8)))
            async let first = harness.send("GET", "/echo/slow1")
            async let second = harness.send("GET", "/echo/slow2")
            try await eventually("both slow requests to reach the upstream") {
                harness.emulator.knobs.stats.requests(to: "/echo/slow1") + harness.emulator.knobs.stats.requests(to: "/echo/slow2") == 2
            }
            let third = try await harness.send("GET", "/echo/fast")
            #expect(third.status == 503)
            #expect(third.text.contains("max_concurrent_requests"))
            #expect(try await first.status == 200)
            #expect(try await second.status == 200)
            #expect(try await harness.send("GET", "/echo/fast").status == 200)
        }
    }

    @Test func perPathQuotaAnswers429With45011BeforeWeChatWould() async throws {
        var options = SidecarHarness.Options()
        options.extraYAML = "rate_limits:\n  - \"/echo/* 3/minute\"\n  - \"/wxa/getwxacode 1/day\""
        try await withSidecar(options) { harness in
            for index in 0..<3 { #expect(try await harness.send("GET", "/echo/\(index)").status == 200) }
            let refused = try await harness.send("GET", "/echo/3")
            #expect(refused.status == 429)
            #expect(refused.errcode == 45011)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/3") == 0)
            #expect(try await harness.send("POST", "/wxa/msg_sec_check", body: "{}").status == 200)
            let metrics = try await harness.send("GET", "/-/metrics").text
            #expect(MetricText.value(of: #"wxsidecar_rate_limited_total{rule="/echo/*"}"#, in: metrics) == 1)
        }
    }
}
