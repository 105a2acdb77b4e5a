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
        let closed = context.eventLoop.makePromise(of: Void.self)
        closed.futureResult.whenComplete { [loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in
            loopBound.value.close(promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: closed)
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
