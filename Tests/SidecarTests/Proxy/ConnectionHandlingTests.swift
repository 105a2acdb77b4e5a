// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import NIOPosix
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// What ``ProxyRequestHandler`` owns besides forwarding: keep-alive and `Connection: close`, HTTP/1.0, pipelined
/// requests answered in order (API calls and admin requests mixed), `HEAD`, and a caller that hangs up.
@Suite struct ConnectionHandlingTests {
    /// The responses in `bytes`, in order: status and body text.
    private func responses(in bytes: [UInt8]) -> [(status: Int, head: String, body: String)] {
        var result: [(Int, String, String)] = []
        var rest = bytes[...]
        while let end = rest.firstRange(of: Array("\r\n\r\n".utf8)) {
            let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self)
            let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            let length = head.split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let bodyEnd = min(rest.endIndex, end.upperBound + length)
            result.append((status, head, String(decoding: rest[end.upperBound..<bodyEnd], as: UTF8.self)))
            rest = rest[bodyEnd...]
        }
        return result
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withSidecar() { harness in
            // The first call is slow, so the two behind it are read (and wait) while it is with the upstream.
            harness.emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/echo/first", action: .none, count: 1, delay: .milliseconds(300)))
            let requests = "POST /echo/first HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
                + "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /echo/third HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nthird"
            let answers = responses(in: try await RawHTTPClient.sendUntilClosed(requests, port: harness.sidecarPort))
            try #require(answers.count == 3)
            #expect(answers.map(\.status) == [200, 200, 200])
            #expect(answers[0].body.contains(#""path":"\/echo\/first""#) || answers[0].body.contains(#""path":"/echo/first""#))
            #expect(answers[0].body.contains(#""body":"first""#))
            #expect(answers[1].body == #"{"status":"ok"}"#)
            #expect(answers[2].body.contains(#""body":"third""#))
            #expect(answers[2].head.lowercased().contains("connection: close"))
        }
    }

    @Test func http10AndConnectionCloseEndTheConnectionAfterTheAnswer() async throws {
        try await withSidecar() { harness in
            let old = responses(in: try await RawHTTPClient.sendUntilClosed("GET /echo/old HTTP/1.0\r\n\r\n", port: harness.sidecarPort))
            try #require(old.count == 1)
            #expect(old[0].head.hasPrefix("HTTP/1.0 200"))
            let closing = responses(in: try await RawHTTPClient.sendUntilClosed(
                "GET /echo/close HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: harness.sidecarPort))
            try #require(closing.count == 1)
            #expect(closing[0].status == 200)
            #expect(closing[0].head.lowercased().contains("connection: close"))
        }
    }

    @Test func anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        var options = SidecarHarness.Options()
        options.extraLimits = "  idle_timeout: 0.5"
        try await withSidecar(options) { harness in
            let started = ContinuousClock.now
            // One kept-alive request, then silence: the answer arrives, then the sidecar closes the connection.
            let answers = responses(in: try await RawHTTPClient.sendUntilClosed(
                "GET /echo/idle HTTP/1.1\r\nHost: x\r\n\r\n", port: harness.sidecarPort))
            let waited = ContinuousClock.now - started
            #expect(answers.map(\.status) == [200])
            #expect(waited >= .milliseconds(400) && waited < .seconds(5), "closed after \(waited)")
        }
    }

    @Test func headAnswersCarryNoBody() async throws {
        try await withSidecar() { harness in
            let bytes = try await RawHTTPClient.sendUntilClosed(
                "HEAD /not/listed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: harness.sidecarPort)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 403"))
            #expect(text.lowercased().contains("content-length: "))
            #expect(text.hasSuffix("\r\n\r\n"))
        }
    }

    @Test func aCallerThatHangsUpCancelsItsUpstreamCall() async throws {
        var options = SidecarHarness.Options()
        options.upstreamTimeout = 30
        try await withSidecar(options) { harness in
            harness.emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/echo/hang", action: .none, count: 1, delay: .seconds(25)))
            try await RawHTTPClient.sendAndHangUp(
                "POST /echo/hang HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", port: harness.sidecarPort)
            // Long before the upstream would answer (25 s) or time out (30 s), the call is cancelled.
            try await eventually("the upstream call to be cancelled", timeout: .seconds(10)) {
                let metrics = try await harness.send("GET", "/-/metrics").text
                return metrics.contains("wxsidecar_upstream_cancelled_total 1")
            }
            let metrics = try await harness.send("GET", "/-/metrics").text
            #expect(!metrics.contains(#"kind="cancelled""#), "a hang-up is not an upstream error")
            #expect(try await harness.send("POST", "/echo/after", body: "{}").status == 200)
        }
    }

    @Test func aCallerThatHangsUpWhileTheRetryIsInFlightCancelsTheRetry() async throws {
        var options = SidecarHarness.Options()
        options.upstreamTimeout = 30
        try await withSidecar(options) { harness in
            // The first answer says the token is dead (and WeChat's probe agrees), so the call is retried with a
            // forced token; the retry then hangs at the upstream for 25 s.
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/retry", action: .errcode(40001, errmsg: nil), count: 1))
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: TokenProbe.path, action: .errcode(40001, errmsg: nil), count: 1))
            harness.emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/echo/retry", action: .none, count: 1, delay: .seconds(25)))
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: harness.sidecarPort).get()
            try await channel.writeAndFlush(
                ByteBuffer(string: "POST /echo/retry HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")).get()
            try await eventually("the retry to reach the upstream") {
                harness.emulator.knobs.stats.requests(to: "/echo/retry") == 2
            }
            #expect(harness.emulator.knobs.stats.delayedInFlight == 1)
            try await channel.close().get()
            // Long before the retry would be answered (25 s) or time out (30 s), it is cancelled: the upstream
            // sees its connection go, and the sidecar counts the cancellation.
            try await eventually("the upstream to see the retry cancelled", timeout: .seconds(5)) {
                harness.emulator.knobs.stats.delayedInFlight == 0
            }
            try await eventually("the retry to be counted as cancelled", timeout: .seconds(5)) {
                harness.metric("wxsidecar_upstream_cancelled_total") == 1
            }
            #expect(harness.app.client.stats.transfersFailed >= 1)
            #expect(try await harness.send("POST", "/echo/after", body: "{}").status == 200)
        }
    }

    @Test(arguments: [17 * 1024, 70 * 1024])
    func anOverlongTargetGetsAnAnswerNotAReset(_ length: Int) async throws {
        try await withSidecar { harness in
            let target = "/echo/" + String(repeating: "a", count: length)
            let bytes = try await RawHTTPClient.sendUntilClosed(
                "GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n", port: harness.sidecarPort)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 414") || text.hasPrefix("HTTP/1.1 400"), "\(text.prefix(80))")
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
        }
    }
}
