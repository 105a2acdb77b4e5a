// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import SidecarCore

/// Refuses `CONNECT`: the sidecar cannot add a token inside a TLS tunnel, so callers must use `http://` URLs.
///
/// NIO's response encoder never sends a body after `CONNECT` (RFC 9112 frames 2xx answers that way), so the
/// refusal (403, errcode 85107, with the advice in the body) is written as raw bytes by ``RawResponseWriter``
/// at the head of the pipeline, and the connection is closed.
enum TunnelRefusal {
    /// An outbound user event carrying a complete HTTP response, written verbatim by ``RawResponseWriter``.
    struct RawResponse: Sendable {
        var bytes: ByteBuffer
    }

    /// The refusal for a `CONNECT` to `authority`.
    static func response(authority: String) -> RawResponse {
        let rejection: PathRejection
        switch RequestTarget.parse(method: "CONNECT", target: authority) {
        case .failure(let refused): rejection = refused
        case .success: preconditionFailure("CONNECT is always refused")
        }
        let body = rejection.responseBody
        let head = "HTTP/1.1 \(rejection.status) Forbidden\r\nContent-Type: application/json; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        return RawResponse(bytes: ByteBuffer(string: head + body))
    }
}

/// Sits at the head of the pipeline, passes every write through, and writes a ``TunnelRefusal/RawResponse``
/// verbatim before closing the connection.
final class RawResponseWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let raw = event as? TunnelRefusal.RawResponse else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { [loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in
            loopBound.value.close(promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(raw.bytes)), promise: written)
        promise?.succeed()
    }
}
