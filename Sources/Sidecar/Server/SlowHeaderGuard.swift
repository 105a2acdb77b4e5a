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
    /// One timer per connection, armed when a head starts and left to run: when it fires it checks whether
    /// the head that started then is still incomplete (no timer scheduled and cancelled per request).
    private var timer: Scheduled<Void>?
    /// When the first bytes of the head now awaited arrived; `nil` while no head is under way.
    private var headStartedAt: NIODeadline?
    private var awaitingHead = true

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    var start: Start { Start(owner: self) }
    var finish: Finish { Finish(owner: self) }

    fileprivate func bytesArrived(_ context: ChannelHandlerContext) {
        guard awaitingHead, headStartedAt == nil else { return }
        headStartedAt = .now()
        if timer == nil { arm(context, in: timeout) }
    }

    private func arm(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: delay) { [self] in
            timer = nil
            guard let started = headStartedAt else { return }
            let waited = NIODeadline.now() - started
            guard waited >= timeout else { return arm(context, in: timeout - waited) }
            let body = #"{"errcode":-1,"errmsg":"request head not received within limits.header_timeout"}"#
            let response = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            context.writeAndFlush(NIOAny(IOData.byteBuffer(ByteBuffer(string: response))), promise: nil)
            context.close(promise: nil)
        }
    }

    fileprivate func headArrived() {
        awaitingHead = false
        headStartedAt = nil
    }

    fileprivate func responseEnded() {
        awaitingHead = true
    }

    fileprivate func closed() {
        timer?.cancel()
        timer = nil
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
