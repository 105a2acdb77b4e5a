// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1

/// Copies the request target exactly as it arrived (origin-form `/p?q` or absolute-form
/// `http://host/p?q`) into the header ``headerName``, replacing any such header the caller sent.
/// The proxy validates and forwards that string byte for byte, so nothing between check and use
/// decodes or normalises it. `CONNECT` never reaches the responder: see ``TunnelRefusal``.
final class RequestTargetRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// An internal header name no caller can smuggle in (it is removed first).
    static let headerName = "x-wxsidecar-request-target"

    /// Set after a `CONNECT`: nothing more is read from this connection.
    private var refusedTunnel = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refusedTunnel else { return }
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        if head.method == .CONNECT {
            refusedTunnel = true
            context.triggerUserOutboundEvent(TunnelRefusal.response(authority: head.uri), promise: nil)
            return
        }
        head.headers.remove(name: Self.headerName)
        head.headers.add(name: Self.headerName, value: head.uri)
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
