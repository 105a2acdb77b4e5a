// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import Synchronization
import NIOCore
import NIOPosix
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// Images are written to the caller as libcurl delivers them, with backpressure both ways: byte-exact whatever
/// their size, bounded in memory for a slow reader, and a hang-up mid-stream cancels the transfer.
@Suite struct StreamedAnswerTests {
    static func imageRequest(_ bytes: Int) -> String {
        #"{"path":"pages/index","width":430,"emulator_image_bytes":\#(bytes)}"#
    }

    @Test(arguments: [8 << 20, 32 << 20])
    func largeImagesArriveByteExact(_ size: Int) async throws {
        try await withSidecar { harness in
            // A client of its own: the harness's holds answers to 16 MiB.
            let client = try CurlClient(
                configuration: .init(maxResponseBytes: 64 << 20), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            defer { client.shutdown() }
            let response = try await client.execute(UpstreamRequest(
                method: "POST", url: harness.baseURL + "/wxa/getwxacode", body: ByteBuffer(string: Self.imageRequest(size)),
                timeout: .seconds(60)))
            #expect(response.status == 200)
            #expect(response.header("content-type") == "image/jpeg")
            #expect(response.header("content-length") == String(size))
            let expected = WxaCodeImage.bytes(path: "pages/index", width: 430, size: size)
            #expect(response.body.readableBytes == size)
            #expect(Array(response.body.readableBytesView) == expected)
        }
    }

    /// An image WeChat sends without a length goes on in chunks to an HTTP/1.1 caller and until the connection
    /// closes to an HTTP/1.0 one, byte-exact both ways.
    @Test func anImageWithoutALengthGoesInChunksOrUntilClose() async throws {
        try await withSidecar { harness in
            let size = 1 << 20
            let request = #"{"path":"pages/index","width":430,"emulator_image_bytes":\#(size),"emulator_chunked":true}"#
            let expected = WxaCodeImage.bytes(path: "pages/index", width: 430, size: size)
            let response = try await harness.send("POST", "/wxa/getwxacode", body: request)
            #expect(response.status == 200)
            #expect(response.header("transfer-encoding") == "chunked")
            #expect(response.header("content-length") == nil)
            #expect(Array(response.body.readableBytesView) == expected)

            let old = try await RawHTTPClient.sendUntilClosed(
                "POST /wxa/getwxacode HTTP/1.0\r\nContent-Length: \(request.utf8.count)\r\n\r\n\(request)",
                port: harness.sidecarPort)
            let end = old.firstRange(of: Array("\r\n\r\n".utf8))!
            let head = String(decoding: old[..<end.lowerBound], as: UTF8.self).lowercased()
            #expect(head.hasPrefix("http/1.0 200"))
            #expect(!head.contains("transfer-encoding") && !head.contains("content-length"))
            #expect(Array(old[end.upperBound...]) == expected)
        }
    }

    @Test func aSlowReaderPausesTheTransferInsteadOfGrowingTheSidecar() async throws {
        try await withSidecar { harness in
            let size = 32 << 20
            let body = Self.imageRequest(size)
            let completedBefore = harness.app.client.stats.transfersCompleted
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.autoRead, value: false)
                .channelOption(.socketOption(.so_rcvbuf), value: 16 << 10)
                .connect(host: "127.0.0.1", port: harness.sidecarPort).get()
            try await channel.writeAndFlush(ByteBuffer(string:
                "POST /wxa/getwxacode HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")).get()
            try await eventually("the image to be requested upstream") {
                harness.emulator.knobs.stats.requests(to: "/wxa/getwxacode") == 1
            }
            // The caller reads nothing: what the sidecar holds for this call is bounded by the stream's marks and
            // libcurl's buffer, not by the 32 MB image. The upstream transfer is paused, not finished.
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(1) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(harness.app.client.stats.transfersCompleted == completedBefore,
                "the 32 MB transfer finished although the caller read nothing")
            try await channel.close().get()
            try await eventually("the paused transfer to be cancelled by the hang-up") {
                harness.metric("wxsidecar_upstream_cancelled_total") == 1
            }
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
        }
    }

    @Test func aCallerThatHangsUpMidStreamCancelsTheTransfer() async throws {
        try await withSidecar { harness in
            let body = Self.imageRequest(32 << 20)
            // A caller that reads a little and then stops: the transfer is mid-stream (paused) when it hangs up.
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.autoRead, value: false)
                .channelOption(.socketOption(.so_rcvbuf), value: 16 << 10)
                .connect(host: "127.0.0.1", port: harness.sidecarPort).get()
            let received = ReceivedBytes()
            try await channel.pipeline.addHandler(received).get()
            try await channel.writeAndFlush(ByteBuffer(string:
                "POST /wxa/getwxacode HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")).get()
            try await eventually("part of the image to arrive") {
                channel.read()
                return received.count > 64 << 10
            }
            try await channel.close().get()
            try await eventually("the transfer to be cancelled") {
                harness.metric("wxsidecar_upstream_cancelled_total") == 1
            }
            #expect(received.count < 32 << 20)
            #expect(try await harness.send("POST", "/echo/after", body: "{}").status == 200)
        }
    }
}

/// Counts the bytes a client channel receives.
final class ReceivedBytes: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let total = Mutex(0)
    var count: Int { total.withLock { $0 } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytes
        total.withLock { $0 += bytes }
    }
}
