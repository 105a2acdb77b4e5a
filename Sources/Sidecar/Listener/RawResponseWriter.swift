// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore

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
