// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import NIOPosix

/// What a raw TCP client saw: every byte received, and the error that ended the connection, if any.
struct RawExchange: Sendable {
    /// All bytes received until the connection ended.
    var bytes: [UInt8]
    /// The read error that ended the connection (e.g. ECONNRESET), or `nil` for an orderly close (FIN).
    var error: IOError?

    /// The bytes as text (lossy).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The response head (up to the blank line), if a whole head arrived.
    var head: String? {
        text.range(of: "\r\n\r\n").map { String(text[..<$0.lowerBound]) }
    }

    /// Bytes received after the head.
    var bodyBytes: Int {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return 0 }
        return bytes.count - end.upperBound
    }

    /// The Content-Length the head announced.
    var contentLength: Int? {
        head?.split(separator: "\r\n").lazy
            .compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
            .first
    }
}

/// Sends raw bytes over a fresh TCP connection and records everything until the server ends it: the proof of
/// what the drop and reset faults really do to the socket.
enum RawConnection {
    static func exchange(port: Int, request: String) async throws -> RawExchange {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: RawExchange.self)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Recorder(promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        try await channel.writeAndFlush(ByteBuffer(string: request))
        return try await promise.futureResult.get()
    }

    /// Collects inbound bytes and the first error; reports both when the channel goes inactive.
    private final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let promise: EventLoopPromise<RawExchange>
        private var bytes: [UInt8] = []
        private var error: IOError?

        init(promise: EventLoopPromise<RawExchange>) {
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            bytes.append(contentsOf: buffer.readableBytesView)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if self.error == nil, let error = error as? IOError {
                self.error = error
            }
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.succeed(RawExchange(bytes: bytes, error: error))
        }
    }
}
