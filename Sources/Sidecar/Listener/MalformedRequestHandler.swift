// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import SidecarCore

/// Answers HTTP the parser rejects (bad request line, invalid chunking, oversized headers, CRLF tricks)
/// with `400 {"errcode":-1,"errmsg":"malformed HTTP request: …"}` and closes that connection. Nothing
/// is written if an answer is in the middle of being written (``ConnectionHandler/isMidAnswer``); the daemon keeps
/// serving other connections.
///
/// Inbound only: it asks the connection whether an answer is under way rather than watching every write go by
/// (which cost every answer ~2.5k instructions, callgrind, BENCHMARKS.md session 10).
final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let connection: ConnectionHandler
    private var closing = false

    init(connection: ConnectionHandler) {
        self.connection = connection
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !closing else { return }
        closing = true
        if connection.isMidAnswer {
            context.close(promise: nil)
            return
        }
        let body = ByteBuffer(string: WeChatErrorBody.json(errcode: -1, errmsg: "malformed HTTP request: \(Self.reason(parserError))"))
        let wire = AnswerWire.head(
            status: 400, version: .http1_1, fields: .made(["Content-Type": "application/json; charset=utf-8"]),
            seqid: nil, length: body.readableBytes, keepAlive: false)
        context.write(NIOAny(IOData.byteBuffer(wire.bytes)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { [loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in
            Self.lingeringClose(loopBound.value)
        }
        context.writeAndFlush(NIOAny(IOData.byteBuffer(body)), promise: written)
    }

    /// How long the rest of a refused request is read and dropped after the answer.
    static let lingerTime = TimeAmount.seconds(2)

    /// Closes the sending side at once and the connection once the caller stops sending (or after
    /// ``lingerTime``): closing while the caller's bytes are still unread would make the kernel send a reset,
    /// which can destroy the answer before the caller reads it (a 70 KiB request line, say).
    static func lingeringClose(_ context: ChannelHandlerContext) {
        context.close(mode: .output, promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: lingerTime) { context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }  // the rest of a refused request: dropped
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if closing, case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private static func reason(_ error: HTTPParserError) -> String {
        switch error {
        case .headerOverflow: "headers too large"
        case .invalidChunkSize: "invalid chunked encoding"
        case .invalidURL: "invalid request target"
        case .invalidMethod: "invalid method"
        case .invalidVersion: "invalid HTTP version"
        case .invalidHeaderToken, .invalidConstant, .lfExpected: "invalid header syntax"
        case .invalidContentLength, .unexpectedContentLength: "invalid Content-Length"
        default: "\(error)"
        }
    }
}
