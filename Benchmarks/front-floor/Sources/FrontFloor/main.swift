// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

// Usage: front-floor PORT ANSWER_FILE direct|hop
// Answers every request with ANSWER_FILE's bytes as application/json, on one event loop, until killed.

let arguments = CommandLine.arguments
guard arguments.count == 4, let port = Int(arguments[1]), ["direct", "hop"].contains(arguments[3]) else {
    print("usage: front-floor PORT ANSWER_FILE direct|hop")
    exit(2)
}
let answerBytes = try readWhole(arguments[2])
let hop: NIOThreadPool? = arguments[3] == "hop" ? NIOThreadPool(numberOfThreads: 1) : nil
hop?.start()

/// Answers each request once its end arrives; with a hop thread, after a round trip through it.
final class FixedAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let body: ByteBuffer
    private let hop: NIOThreadPool?
    private var keepAlive = true

    init(body: ByteBuffer, hop: NIOThreadPool?) {
        self.body = body
        self.hop = hop
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            guard let hop else {
                answer(context: context)
                return
            }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let loop = context.eventLoop
            hop.submit { _ in
                loop.execute {
                    let (handler, context) = bound.value
                    handler.answer(context: context)
                }
            }
        }
    }

    private func answer(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let keepAlive = self.keepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [context = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in
            if !keepAlive { context.value.close(promise: nil) }
        }
    }
}

/// Reads a small file whole, before the server starts.
func readWhole(_ path: String) throws -> ByteBuffer {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "open \(path)") }
    defer { close(fd) }
    var buffer = ByteBufferAllocator().buffer(capacity: 1 << 16)
    let count = buffer.withUnsafeMutableWritableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
    guard count >= 0 else { throw IOError(errnoCode: errno, reason: "read \(path)") }
    buffer.moveWriterIndex(forwardBy: count)
    return buffer
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let channel = try await ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(FixedAnswerHandler(body: answerBytes, hop: hop))
        }
    }
    .bind(host: "127.0.0.1", port: port).get()
print("front-floor listening on 127.0.0.1:\(port), \(arguments[3])")
try await channel.closeFuture.get()
