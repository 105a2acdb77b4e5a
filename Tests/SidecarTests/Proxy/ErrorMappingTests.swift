// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// Every answer the sidecar makes itself: a WeChat-style JSON error with the right status, and the
/// daemon keeps serving afterwards.
@Suite struct ErrorMappingTests {
    @Test func bodyOverTheLimitIs413With45002() async throws {
        var options = SidecarHarness.Options()
        options.maxBodyBytes = 1024
        try await withSidecar(options) { harness in
            let response = try await harness.send("POST", "/echo/big", body: String(repeating: "x", count: 4096))
            #expect(response.status == 413)
            #expect(response.errcode == 45002)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/big") == 0)
            #expect(try await harness.send("POST", "/echo/small", body: "ok").status == 200)
        }
    }

    @Test func chunkedBodyOverTheLimitIs413Too() async throws {
        var options = SidecarHarness.Options()
        options.maxBodyBytes = 1024
        try await withSidecar(options) { harness in
            let chunk = String(repeating: "y", count: 800)
            let request = "POST /echo/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n"
            let response = try await RawHTTPClient.send(request, port: harness.sidecarPort)
            #expect(response.status == 413)
            #expect(response.errcode == 45002)
        }
    }

    @Test func noTokenYetIs503With85113() async throws {
        var options = SidecarHarness.Options()
        options.waitForToken = false
        options.emulatorFaults = [EmulatorFault(pathPrefix: "/cgi-bin/", action: .errcode(40164, errmsg: nil))]
        try await withSidecar(options) { harness in
            let response = try await harness.send("POST", "/wxa/msg_sec_check", body: "{}")
            #expect(response.status == 503)
            #expect(response.errcode == 85113)
            #expect(try await harness.send("GET", "/-/ready").status == 503)
            // The first fetch may still be on its way when the call is refused: wait for its result.
            try await eventually("the first refresh to fail") {
                let status = try await harness.send("GET", "/-/status")
                return (status.json["token"] as? [String: Any])?["last_refresh_result"] as? String != "none"
            }
            let status = try await harness.send("GET", "/-/status")
            #expect((status.json["token"] as? [String: Any])?["last_refresh_result"] as? String == "config_error")
            #expect(((status.json["token"] as? [String: Any])?["last_refresh_error"] as? String)?.contains("40164") == true)
        }
    }

    @Test func upstreamThatDropsTheConnectionIs502() async throws {
        try await withSidecar { harness in
            // libcurl resends once on a fresh connection when a reused one closes before any answer, so the
            // upstream must drop twice for the caller to see it.
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/", action: .dropConnection, count: 2))
            let response = try await harness.send("GET", "/echo/drop")
            #expect(response.status == 502)
            #expect(response.errcode == -1)
            let after = try await harness.send("GET", "/echo/after")
            #expect(after.status == 200, "\(after.text)")
        }
    }

    @Test func upstreamThatResetsMidBodyOfABufferedAnswerIs502() async throws {
        try await withSidecar { harness in
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/", action: .resetMidBody, count: 1))
            let response = try await harness.send("POST", "/echo/reset", body: String(repeating: "x", count: 100_000))
            #expect(response.status == 502)
            #expect(response.errcode == -1)
        }
    }

    @Test func upstreamThatResetsMidStreamedImageCutsTheCallerShort() async throws {
        try await withSidecar { harness in
            // The head (with the full length) already went to the caller: the sidecar can only cut it short, so the
            // caller sees a partial body, never a complete-looking one.
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/wxa/getwxacode", action: .resetMidBody, count: 1))
            await #expect(throws: CurlError.self) {
                _ = try await harness.send("POST", "/wxa/getwxacode", body: #"{"path":"p","emulator_image_bytes":1048576}"#)
            }
            try await eventually("the upstream error to be counted") {
                harness.metric(#"wxsidecar_upstream_errors_total{kind="reset"}"#) >= 1
            }
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
        }
    }

    @Test func upstreamUnreachableIs502() async throws {
        try await withSidecar { harness in
            await harness.stopEmulator()
            let response = try await harness.send("GET", "/echo/x")
            #expect(response.status == 502)
            #expect(response.errcode == -1)
            #expect(response.text.contains("upstream"))
        }
    }

    @Test func upstreamSlowerThanTheTimeoutIs504() async throws {
        var options = SidecarHarness.Options()
        options.upstreamTimeout = 1
        try await withSidecar(options) { harness in
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/slow", action: .none, count: 1, delay: .seconds(3)))
            let response = try await harness.send("GET", "/echo/slow")
            #expect(response.status == 504)
            #expect(response.errcode == -1)
            let metrics = try await harness.send("GET", "/-/metrics")
            #expect(metrics.text.contains(#"wxsidecar_upstream_errors_total{kind="timeout"} 1"#))
        }
    }

    @Test func untrustedUpstreamCertificateIsATLSFailureNotAToken() async throws {
        var options = SidecarHarness.Options()
        options.trustCA = false
        options.waitForToken = false
        try await withSidecar(options) { harness in
            try await eventually("a failed refresh") { harness.app.tokens.current.lastResult == "error" }
            #expect(harness.app.tokens.current.lastError?.contains("tls") == true, "\(harness.app.tokens.current.lastError ?? "")")
            #expect(try await harness.send("GET", "/echo/x").status == 503)
        }
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET /echo/x HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /echo/x HTTP/1.1\r\nBad Header\r\n\r\n",
        "GET /echo/x HTTP/1.1\r\nX: " + String(repeating: "a", count: 70_000) + "\r\n\r\n",
    ])
    func malformedHTTPIs400AndTheDaemonKeepsServing(_ request: String) async throws {
        try await withSidecar { harness in
            let response = try await RawHTTPClient.send(request, port: harness.sidecarPort)
            #expect(response.status == 400)
            #expect(response.errcode == -1, "\(response.text)")
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/x") == 0)
            #expect(try await harness.send("GET", "/echo/after").status == 200)
        }
    }
}
