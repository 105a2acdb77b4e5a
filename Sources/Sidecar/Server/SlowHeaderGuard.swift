// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1

/// Closes connections that take longer than `limits.header_timeout` to send a request head once they
/// started one (slowloris), answering `408` first. Two handlers share one deadline: ``start`` sits before
/// the HTTP decoder and notices the first bytes of a request; ``finish`` sits after it and notices the
/// complete head, and the end of each response (after which the next request may start).
final class SlowHeaderGuard {
    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var awaitingHead = true

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    var start: Start { Start(owner: self) }
    var finish: Finish { Finish(owner: self) }

    fileprivate func bytesArrived(_ context: ChannelHandlerContext) {
        guard awaitingHead, deadline == nil else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let context = loopBound.value
            let body = #"{"errcode":-1,"errmsg":"request head not received within limits.header_timeout"}"#
            let response = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            context.writeAndFlush(NIOAny(IOData.byteBuffer(ByteBuffer(string: response))), promise: nil)
            context.close(promise: nil)
        }
    }

    fileprivate func headArrived() {
        awaitingHead = false
        deadline?.cancel()
        deadline = nil
    }

    fileprivate func responseEnded() {
        awaitingHead = true
    }

    fileprivate func closed() {
        deadline?.cancel()
        deadline = nil
    }

    /// Before the decoder: raw bytes.
    final class Start: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let owner: SlowHeaderGuard
        init(owner: SlowHeaderGuard) { self.owner = owner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            owner.bytesArrived(context)
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            owner.closed()
            context.fireChannelInactive()
        }
    }

    /// After the decoder: request heads in, response ends out.
    final class Finish: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias InboundOut = HTTPServerRequestPart
        typealias OutboundIn = HTTPServerResponsePart
        typealias OutboundOut = HTTPServerResponsePart
        let owner: SlowHeaderGuard
        init(owner: SlowHeaderGuard) { self.owner = owner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head = unwrapInboundIn(data) { owner.headArrived() }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .end = unwrapOutboundIn(data) { owner.responseEnded() }
            context.write(data, promise: promise)
        }
    }
}
