// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import TestSupport
import Testing

/// The listening socket (`HTTPListener`): a burst of connections accepted and served, and graceful shutdown —
/// idle connections closed at once, the service done when the last connection closes, and no waiting once the
/// grace is over.
@Suite struct HTTPListenerTests {
    /// Everything a connection received until it closed, as text.
    final class Received: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let bytes = NIOLockedValueBox("")
        var text: String { bytes.withLockedValue { $0 } }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLockedValue { $0 += String(buffer: buffer) }
        }
    }

    static func connect(_ port: Int) async throws -> (any Channel, Received) {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.pipeline.addHandler(received) }
            .connect(host: "127.0.0.1", port: port).get()
        return (channel, received)
    }

    @Test func aBurstOfFiveHundredConnectionsIsAcceptedAndEveryOneAnswered() async throws {
        try await withSidecar { harness in
            let clients = try await withThrowingTaskGroup(of: (any Channel, Received).self) { group in
                for _ in 0..<500 { group.addTask { try await Self.connect(harness.sidecarPort) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (channel, _) in clients {
                channel.writeAndFlush(
                    ByteBuffer(string: "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), promise: nil)
            }
            for (channel, _) in clients { try await channel.closeFuture.get() }
            let answered = clients.filter { $0.1.text.hasPrefix("HTTP/1.1 200") }.count
            #expect(answered == 500)
        }
    }

    @Test func gracefulShutdownClosesIdleConnectionsAndEndsWhenTheLastOneCloses() async throws {
        let harness = try await SidecarHarness.start()
        try await withTeardown {
            let (idle, received) = try await Self.connect(harness.sidecarPort)
            try await idle.writeAndFlush(ByteBuffer(string: "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")).get()
            try await eventually("the answer") { received.text.contains(#"{"status":"ok"}"#) }
            #expect(idle.isActive)
            await harness.group.triggerGracefulShutdown()
            // Kept alive and idle: closed by the sidecar as shutdown begins, not left to its idle timeout.
            try await idle.closeFuture.get()
            #expect(received.text.components(separatedBy: "HTTP/1.1 200").count == 2)
        } teardown: {
            await harness.stop()
        }
    }

    @Test func onceTheGraceIsOverTheListenerStopsWithoutWaitingForConnections() async throws {
        var options = SidecarHarness.Options()
        options.shutdownGrace = 1
        options.extraLimits = "  header_timeout: 120"
        let harness = try await SidecarHarness.start(options)
        // Uploads that stall after their head: closed only by header_timeout (here 120 s), so graceful shutdown
        // would wait for them. Each is seen by the sidecar (it answers 100 Continue) before shutdown begins.
        var uploads: [(any Channel, Received)] = []
        for index in 0..<3 {
            let (channel, received) = try await Self.connect(harness.sidecarPort)
            uploads.append((channel, received))
            try await channel.writeAndFlush(ByteBuffer(string: "POST /echo/upload\(index) HTTP/1.1\r\nHost: x\r\n"
                + "Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n")).get()
            try await eventually("100 Continue") { received.text.hasPrefix("HTTP/1.1 100") }
        }
        try await withTeardown {
            await harness.stop()
            // The service group ended after its grace, with the uploads still open.
            let open = uploads.filter { $0.0.isActive }.count
            #expect(open == uploads.count)
        } teardown: {
            for (upload, _) in uploads { try? await upload.close().get() }
        }
    }
}
