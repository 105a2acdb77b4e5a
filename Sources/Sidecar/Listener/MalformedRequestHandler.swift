// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import SidecarCore

/// Answers HTTP the parser rejects (bad request line, invalid chunking, oversized headers, CRLF tricks)
/// with `400 {"errcode":-1,"errmsg":"malformed HTTP request: …"}` and closes that connection. Nothing
/// is written if a response is already on the wire; the daemon keeps serving other connections.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseInProgress = false
    private var closing = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !closing else { return }
        closing = true
        if responseInProgress {
            context.close(promise: nil)
            return
        }
        let body = ByteBuffer(string: WeChatErrorBody.json(errcode: -1, errmsg: "malformed HTTP request: \(Self.reason(parserError))"))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { [loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in
            Self.lingeringClose(loopBound.value)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
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

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responseInProgress = true
        case .end: responseInProgress = false
        default: break
        }
        context.write(data, promise: promise)
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
