// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import NIOHTTP1

/// Serves WeChat API calls on the connection's event loop, without a task: reads the request, checks it
/// (``RequestLedger``, ``ProxyForwarder/admit(method:rawTarget:headers:)``), hands it to libcurl, and writes the
/// answer when libcurl's completion comes back to this loop. `/-/…` admin requests (and `CONNECT`, which
/// ``RequestTargetRecorder`` refuses) are passed on to Hummingbird's responder behind it.
///
/// It also owns the connection's life: one request at a time (pipelined requests wait, reads paused, until the
/// answer before them is written), the idle timeout, and graceful shutdown (`ChannelShouldQuiesceEvent`: close when
/// idle, else after the answer in progress). A caller that goes away cancels its upstream transfer.
final class ProxyRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The API call in progress on this connection.
    private struct Exchange {
        let id: Int
        let head: HTTPRequestHead
        let entry: RequestLedger.Entry
        /// The admitted call; `nil` once the sidecar has answered it itself.
        var call: ProxyForwarder.Call?
        var body: ByteBuffer?
        var requestEnded = false
        var answered = false
        var transfer: CurlClient.PendingTransfer?
    }

    private enum Current {
        case none
        case call(Exchange)
        /// An admin request, in Hummingbird's hands until its answer's `.end` passes ``write(context:data:promise:)``.
        case passedOn(requestEnded: Bool, answered: Bool)
    }

    private let forwarder: ProxyForwarder
    private let ledger: RequestLedger
    private let idleTimeout: TimeAmount

    private var current = Current.none
    private var nextID = 0
    /// Parts of pipelined requests read while an earlier one is still being answered.
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    private var readHeld = false
    private var closeAfterAnswer = false
    private var idleSince = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?

    init(forwarder: ProxyForwarder, ledger: RequestLedger, idleTimeout: TimeAmount) {
        self.forwarder = forwarder
        self.ledger = ledger
        self.idleTimeout = idleTimeout
    }

    // MARK: Connection life

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdleTimer(context, in: idleTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context, in: idleTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        if case .call(let exchange) = current {
            exchange.transfer?.cancel()
            if !exchange.answered { ledger.leave() }
        }
        current = .none
        queued.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        queued.removeAll()
        if case .none = current {
            context.close(promise: nil)
        } else {
            closeAfterAnswer = true
        }
    }

    private func armIdleTimer(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        idleTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: delay) { [self] in
            idleTimer = nil
            guard case .none = current else { return armIdleTimer(context, in: idleTimeout) }
            let idleFor = NIODeadline.now() - idleSince
            if idleFor >= idleTimeout {
                context.close(promise: nil)
            } else {
                armIdleTimer(context, in: idleTimeout - idleFor)
            }
        }
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if !queued.isEmpty || currentRequestHasEnded {
            queued.append(part)
            return
        }
        read(part, context: context)
    }

    func read(context: ChannelHandlerContext) {
        if queued.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    private var currentRequestHasEnded: Bool {
        switch current {
        case .none: false
        case .call(let exchange): exchange.requestEnded
        case .passedOn(let requestEnded, _): requestEnded
        }
    }

    private func read(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (part, current) {
        case (.head(let head), .none):
            if head.uri.hasPrefix(AdminEndpoints.prefix) || head.method == .CONNECT {
                current = .passedOn(requestEnded: false, answered: false)
                context.fireChannelRead(wrapInboundOut(part))
            } else {
                start(head, context: context)
            }
        case (.body(let chunk), .call(var exchange)):
            current = .none
            if let call = exchange.call, !exchange.answered {
                if (exchange.body?.readableBytes ?? 0) + chunk.readableBytes > forwarder.settings.maxBodyBytes {
                    current = .call(exchange)
                    answer(forwarder.bodyTooLarge(call), context: context)
                    return
                }
                if exchange.body == nil {
                    exchange.body = chunk
                } else {
                    exchange.body!.writeImmutableBuffer(chunk)
                }
            }
            current = .call(exchange)
        case (.end, .call(var exchange)):
            exchange.requestEnded = true
            current = .call(exchange)
            if exchange.answered {
                finish(context: context)
            } else if let call = exchange.call {
                send(call, exchange: exchange, context: context)
            }
        case (.end, .passedOn(_, let answered)):
            current = .passedOn(requestEnded: true, answered: answered)
            context.fireChannelRead(wrapInboundOut(part))
            if answered { finish(context: context) }
        case (_, .passedOn):
            context.fireChannelRead(wrapInboundOut(part))
        default:
            // A body or end with no request (the decoder never does this), or a head mid-request.
            context.close(promise: nil)
        }
    }

    // MARK: Serving

    private func start(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        idleSince = .distantFuture
        let gate = ledger.gate
        let entry = ledger.enter(
            remote: gate.isOpen ? nil : context.channel.remoteAddress,
            sentKey: gate.isOpen ? nil : head.headers.first(name: gate.header), rawTarget: head.uri)
        nextID &+= 1
        current = .call(Exchange(id: nextID, head: head, entry: entry))
        if let refusal = entry.refusal {
            return answer(.answer(refusal, pathLabel: "refused", path: nil), context: context)
        }
        switch forwarder.admit(method: head.method.rawValue, rawTarget: head.uri, headers: head.headers) {
        case .answer(let outcome):
            answer(outcome, context: context)
        case .forward(let call):
            guard case .call(var exchange) = current else { return }
            exchange.call = call
            current = .call(exchange)
        }
    }

    private func send(_ call: ProxyForwarder.Call, exchange: Exchange, context: ChannelHandlerContext) {
        var body = exchange.body
        if body == nil, exchange.head.headers.contains(name: "content-length")
            || exchange.head.headers.contains(name: "transfer-encoding")
        {
            body = ByteBuffer()
        }
        let id = exchange.id
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let transfer = forwarder.send(call, body: body, on: context.eventLoop) { outcome in
            let (handler, context) = loopBound.value
            handler.upstreamAnswered(outcome, id: id, context: context)
        }
        if case .call(var exchange) = current, exchange.id == id, !exchange.answered {
            exchange.transfer = transfer
            exchange.body = nil
            current = .call(exchange)
        }
    }

    private func upstreamAnswered(_ outcome: ProxyForwarder.Outcome, id: Int, context: ChannelHandlerContext) {
        guard case .call(let exchange) = current, exchange.id == id, !exchange.answered else { return }
        answer(outcome, context: context)
    }

    /// Writes the answer to the call in progress; the next request is read once this one has ended.
    private func answer(_ outcome: ProxyForwarder.Outcome, context: ChannelHandlerContext) {
        guard case .call(var exchange) = current else { return }
        exchange.answered = true
        exchange.call = nil
        exchange.body = nil
        exchange.transfer = nil
        current = .call(exchange)
        let head = exchange.head
        let keepAlive = head.isKeepAlive && !outcome.closeConnection && !closeAfterAnswer
        var headers = outcome.headers
        headers.add(name: "x-openapi-seqid", value: exchange.entry.seqid)
        headers.add(name: "Content-Length", value: String(outcome.body.readableBytes))
        if !keepAlive && !outcome.closeConnection {
            headers.add(name: "Connection", value: "close")
        } else if keepAlive && head.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        ledger.record(outcome, method: head.method.rawValue, rawTarget: head.uri, entry: exchange.entry)
        ledger.leave()
        let status = HTTPResponseStatus(statusCode: outcome.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD && outcome.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(outcome.body))), promise: nil)
        }
        guard keepAlive else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if exchange.requestEnded { finish(context: context) }
    }

    // MARK: Between requests

    /// The request in progress is over (read whole and answered): serve what was pipelined behind it.
    private func finish(context: ChannelHandlerContext) {
        current = .none
        idleSince = .now()
        var replayed = false
        while !currentRequestHasEnded, let part = queued.popFirst() {
            read(part, context: context)
            replayed = true
        }
        // Parts passed on outside a read cycle reach Hummingbird's async channel only with a read-complete.
        if replayed { context.fireChannelReadComplete() }
        if queued.isEmpty && readHeld {
            readHeld = false
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .passedOn(let requestEnded, _) = current, case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        if closeAfterAnswer {
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
            return
        }
        context.write(data, promise: promise)
        if requestEnded {
            finish(context: context)
        } else {
            current = .passedOn(requestEnded: false, answered: true)
        }
    }
}
