// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import SidecarCore

/// The one handler for every request on a connection: API calls (``ProxyCall``), the `/-/` admin route table
/// (``AdminEndpoints``) and the `CONNECT` refusal. A thin shell around ``ConnectionStateMachine``: it reports what
/// happens on the channel and performs what the machine answers (read, queue, replay, time out, close).
///
/// Every request goes through the ``RequestLedger`` once (seqid, caller gate, concurrency limit, access log,
/// metrics) and counts as in flight until its answer is flushed.
final class ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// What every connection shares.
    struct Services: Sendable {
        var routes: Routes
        var ledger: RequestLedger
        var budget: BodyBudget
        /// `limits.max_connections`; this connection tells it when it is idle (closable to make room).
        var cap: ConnectionCap
        var limits: ConnectionStateMachine.Limits
    }

    /// What a listener serves: the API proxy and the admin endpoints (the caller listener), or WeChat's pushes
    /// (the inbound listener).
    enum Routes: Sendable {
        case api(forwarder: ProxyForwarder, admin: AdminEndpoints)
        case inbound(InboundEndpoints)
    }

    /// The request in progress: a class, so that reading or marking it copies nothing (as a struct of a head, an
    /// entry, a call and an outcome, each copy retained every reference in it, ~6k instructions per call, callgrind,
    /// BENCHMARKS.md session 13).
    private final class Request {
        let head: HTTPRequestHead
        let entry: RequestLedger.Entry
        /// Set while a call that reads a body is being served (an API call, an admin request with a body).
        var call: (any ServedCall)?
        /// The answer was written; the ledger is left when it is flushed.
        var answered = false
        /// A streamed answer in progress: what the access log records when it ends.
        var streamed: CallOutcome?
        /// Whether the streamed answer's body goes in chunks.
        var chunked = false
        var left = false

        init(head: HTTPRequestHead, entry: RequestLedger.Entry) {
            self.head = head
            self.entry = entry
        }
    }

    private let services: Services
    private var machine: ConnectionStateMachine
    /// Parts pipelined behind the request in progress; rare, so it starts small (it is one per connection).
    private var queued = CircularBuffer<HTTPServerRequestPart>(initialCapacity: 2)
    private var request: Request?
    private var timer: Scheduled<Void>?
    private var timerDeadline: Int64?
    private var context: ChannelHandlerContext?
    /// Whether an answer's head is written and its end is not: ``MalformedRequestHandler`` then closes the
    /// connection instead of writing its 400 into the middle of it.
    private(set) var isMidAnswer = false

    init(services: Services, now: NIODeadline) {
        self.services = services
        self.machine = ConnectionStateMachine(limits: services.limits, now: Self.nanoseconds(now))
    }

    // MARK: Channel life

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        services.cap.markIdle(context.channel)
        armTimer()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        machine.closed()
        if let request {
            request.call?.cancel()
            request.call = nil
            leave(request)
            self.request = nil
        }
        queued.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            queued.removeAll()
            perform(machine.quiesce(), context: context)
        case ChannelEvent.inputClosed:
            // The caller closed its side: it hung up (a call in flight is cancelled when the channel goes inactive).
            context.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        perform(machine.writabilityChanged(context.channel.isWritable), context: context)
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        perform(machine.readRequested(), context: context)
    }

    /// Bytes arrived before the decoder (``ByteArrivalNotifier``): a head may be starting.
    func bytesArrived() {
        machine.bytesArrived(at: now)
        armTimer()
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch machine.received(Self.kind(of: part), at: now) {
        case .handle: handle(part, context: context)
        case .handleThenNext(let read):
            handle(part, context: context)
            nextRequest(read: read, context: context)
        case .queue: queued.append(part)
        case .drop: break
        }
        armTimer()
    }

    private static func kind(of part: HTTPServerRequestPart) -> ConnectionStateMachine.Part {
        switch part {
        case .head(let head): .head(keepAlive: head.isKeepAlive)
        case .body: .body
        case .end: .end
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head): start(head, context: context)
        case .body(let chunk): request?.call?.receive(chunk)
        case .end: request?.call?.requestEnded()
        }
    }

    // MARK: Routing

    private func start(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        services.cap.markBusy(context.channel)
        if head.method == .CONNECT {
            machine.closed()
            let refusal = TunnelRefusal.response(authority: head.uri)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(refusal))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        let ledger = services.ledger
        let gate = ledger.gate
        let entry = ledger.enter(
            remote: gate.isOpen ? nil : context.channel.remoteAddress,
            sentKey: gate.isOpen ? nil : head.headers.first(name: gate.header), rawTarget: head.uri)
        request = Request(head: head, entry: entry)
        if let refusal = entry.refusal {
            return answer(.answer(refusal, pathLabel: "refused", path: nil), context: context)
        }
        let headers = head.headers.lazy.map { (name: $0.name, value: $0.value) }
        switch RequestHeadRules.check(major: head.version.major, minor: head.version.minor, headers: headers) {
        case .refuse(let status, let errcode, let message, let label):
            let refusal = SidecarAnswer(status: status, errcode: errcode, errmsg: message, label: label, closeConnection: true)
            return answer(.answer(refusal, pathLabel: "invalid", path: nil), context: context)
        case .accept(let expectsContinue):
            switch services.routes {
            case .inbound(let inbound):
                switch inbound.dispatch(target: head.uri) {
                case .answer(let outcome):
                    answer(outcome, context: context)
                case .push(let account):
                    let call = PushCall(
                        account: account, method: head.method.rawValue, target: head.uri, seqid: entry.seqid,
                        eventLoop: context.eventLoop, answered: answering(context))
                    serve(call, expectsContinue: expectsContinue, head: head, context: context)
                }
            case .api(let forwarder, let admin):
                if head.uri.hasPrefix(AdminEndpoints.prefix) {
                    switch admin.dispatch(method: head.method.rawValue, target: head.uri) {
                    case .answer(let outcome):
                        answer(outcome, context: context)
                    case .readBody(let route, let path):
                        let call = AdminCall(
                            route: route, path: path, grant: entry.grant, eventLoop: context.eventLoop, answered: answering(context))
                        serve(call, expectsContinue: expectsContinue, head: head, context: context)
                    }
                    return
                }
                startProxy(head, forwarder: forwarder, grant: entry.grant, expectsContinue: expectsContinue, context: context)
            }
        }
    }

    /// An API call: admitted (and read) by a ``ProxyCall``, or answered at once.
    private func startProxy(
        _ head: HTTPRequestHead, forwarder: ProxyForwarder, grant: Set<String>?, expectsContinue: Bool,
        context: ChannelHandlerContext
    ) {
        let started = ProxyCall.start(
            head: head, grant: grant, forwarder: forwarder, budget: services.budget, eventLoop: context.eventLoop,
            delegate: self)
        switch started {
        case .answered(let outcome):
            answer(outcome, context: context)
        case .admitted(let call):
            serve(call, expectsContinue: expectsContinue, head: head, context: context)
        }
    }

    /// What a ``ServedCall`` calls, on the event loop, with its answer.
    private func answering(_ context: ChannelHandlerContext) -> (CallOutcome) -> Void {
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        return { outcome in
            let (handler, context) = loopBound.value
            handler.answer(outcome, context: context)
        }
    }

    /// `call` reads the request's body and answers later; a caller that sent `Expect: 100-continue` is told to send it.
    private func serve(_ call: any ServedCall, expectsContinue: Bool, head: HTTPRequestHead, context: ChannelHandlerContext) {
        request?.call = call
        if expectsContinue {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(AnswerWire.continue(version: head.version))), promise: nil)
        }
    }

    // MARK: Answering

    /// Writes the answer to the request in progress; the machine learns when it is flushed.
    private func answer(_ outcome: CallOutcome, context: ChannelHandlerContext) {
        guard let request, !request.answered else { return }
        request.answered = true
        request.call = nil
        let head = request.head
        let keepAlive = machine.answerWritten(close: outcome.closeConnection)
        let wire = AnswerWire.head(
            status: outcome.status, version: head.version, fields: outcome.fields, seqid: request.entry.seqid,
            length: outcome.body.readableBytes, keepAlive: keepAlive)
        services.ledger.record(outcome, method: head.method.rawValue, rawTarget: head.uri, entry: request.entry)
        isMidAnswer = true
        if head.method != .HEAD, outcome.body.readableBytes > 0, AnswerWire.mayHaveBody(outcome.status) {
            context.write(wrapOutboundOut(.byteBuffer(wire.bytes)), promise: nil)
            writeEnd(outcome.body, context: context)
        } else {
            writeEnd(wire.bytes, context: context)
        }
    }

    // MARK: Streamed answers

    /// Writes the head of a streamed answer: the upstream's length when it gave one, else chunked (HTTP/1.1) or
    /// close-delimited (HTTP/1.0).
    private func startStream(_ outcome: CallOutcome, length: Int?, context: ChannelHandlerContext) {
        guard let request, !request.answered else { return }
        let head = request.head
        let closeAfter = length == nil && head.version.minor == 0
        let keepAlive = machine.answerWritten(close: closeAfter)
        let wire = AnswerWire.head(
            status: outcome.status, version: head.version, fields: outcome.fields, seqid: request.entry.seqid,
            length: length, keepAlive: keepAlive)
        request.answered = true
        request.streamed = outcome
        request.chunked = wire.chunked && head.method != .HEAD
        context.write(wrapOutboundOut(.byteBuffer(wire.bytes)), promise: nil)
        isMidAnswer = true
    }

    private func writeStreamPart(_ part: ByteBuffer, written: @escaping () -> Void, context: ChannelHandlerContext) {
        guard let request, request.streamed != nil else { return }
        if request.head.method == .HEAD { return written() }
        if request.chunked {
            context.write(wrapOutboundOut(.byteBuffer(AnswerWire.chunkPrefix(part.readableBytes))), promise: nil)
            context.write(wrapOutboundOut(.byteBuffer(part)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(AnswerWire.chunkSuffix))).assumeIsolated().whenSuccess { written() }
        } else {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(part))).assumeIsolated().whenSuccess { written() }
        }
    }

    private func endStream(complete: Bool, context: ChannelHandlerContext) {
        guard let request, var outcome = request.streamed else { return }
        request.call = nil
        if !complete {
            outcome.answerLabel = "upstream_cut_short"
            services.ledger.record(outcome, method: request.head.method.rawValue, rawTarget: request.head.uri, entry: request.entry)
            context.close(promise: nil)
            return
        }
        services.ledger.record(outcome, method: request.head.method.rawValue, rawTarget: request.head.uri, entry: request.entry)
        writeEnd(request.chunked ? AnswerWire.lastChunk : ByteBuffer(), context: context)
    }

    /// Writes the last bytes of the answer (its body, its head when it has no body, the last chunk) and learns when
    /// they are flushed.
    private func writeEnd(_ last: ByteBuffer, context: ChannelHandlerContext) {
        let flushed = context.eventLoop.makePromise(of: Void.self)
        isMidAnswer = false
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(last)), promise: flushed)
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        flushed.futureResult.whenComplete { result in
            let (handler, context) = loopBound.value
            switch result {
            case .success: handler.answerFlushed(context: context)
            case .failure: context.close(promise: nil)
            }
        }
    }

    private func answerFlushed(context: ChannelHandlerContext) {
        if let request { leave(request) }
        let action = machine.answerFlushed(at: now)
        if case .nextRequest = action { request = nil }
        perform(action, context: context)
    }

    private func leave(_ request: Request) {
        guard !request.left else { return }
        request.left = true
        services.ledger.leave()
    }

    // MARK: Performing the machine's actions

    private func perform(_ action: ConnectionStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none: break
        case .read: context.read()
        case .close: context.close(promise: nil)
        case .requestTimeout(let stage):
            timeOut(stage, context: context)
        case .nextRequest(let read):
            nextRequest(read: read, context: context)
        }
        armTimer()
    }

    /// The request in progress is over: serve what was pipelined behind it, then read on if asked.
    private func nextRequest(read: Bool, context: ChannelHandlerContext) {
        request = nil
        if queued.isEmpty { services.cap.markIdle(context.channel) }
        while let part = queued.popFirst() {
            switch machine.received(Self.kind(of: part), at: now, replayed: true) {
            case .handle: handle(part, context: context)
            case .handleThenNext:
                handle(part, context: context)
                request = nil
            case .queue:
                queued.prepend(part)
                return
            case .drop:
                queued.removeAll()
                return
            }
        }
        if read {
            context.read()
        } else if case .read = machine.readRequested() {
            context.read()
        }
    }

    /// 408 for a head or body that did not arrive in time, then close.
    private func timeOut(_ stage: ConnectionStateMachine.Stage, context: ChannelHandlerContext) {
        let answer = SidecarAnswer.requestTimeout(body: stage == .body)
        if let request {
            request.call?.cancel()
            request.call = nil
            leave(request)
        }
        let body = ByteBuffer(string: answer.body)
        let wire = AnswerWire.head(
            status: answer.status, version: .http1_1, fields: .made(["Content-Type": "application/json; charset=utf-8"]),
            seqid: nil, length: body.readableBytes, keepAlive: false)
        context.write(wrapOutboundOut(.byteBuffer(wire.bytes)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(body))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    // MARK: Time

    private var now: Int64 { Self.nanoseconds(context?.eventLoop.now ?? .now()) }

    private static func nanoseconds(_ deadline: NIODeadline) -> Int64 {
        Int64(truncatingIfNeeded: deadline.uptimeNanoseconds)
    }

    /// One timer per connection, at the machine's deadline; moved only when the deadline comes earlier.
    private func armTimer() {
        guard let context, let deadline = machine.deadline else { return }
        if let scheduled = timerDeadline, timer != nil, scheduled <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(UInt64(max(0, deadline)))) {
            let handler = loopBound.value
            handler.timer = nil
            handler.timerDeadline = nil
            guard let context = handler.context else { return }
            handler.perform(handler.machine.tick(at: handler.now), context: context)
        }
    }
}

// MARK: - ProxyCallDelegate

/// A ``ProxyCall``'s answer, on the event loop; nothing once the handler has left its channel.
extension ConnectionHandler: ProxyCallDelegate {
    func callAnswered(_ outcome: CallOutcome) {
        guard let context else { return }
        answer(outcome, context: context)
    }

    func callStreamStarted(_ outcome: CallOutcome, length: Int?) {
        guard let context else { return }
        startStream(outcome, length: length, context: context)
    }

    func callStreamPart(_ part: ByteBuffer, written: @escaping () -> Void) {
        guard let context else { return }
        writeStreamPart(part, written: written, context: context)
    }

    func callStreamEnded(complete: Bool) {
        guard let context else { return }
        endStream(complete: complete, context: context)
    }
}

/// Before the HTTP decoder: tells the ``ConnectionHandler`` that bytes arrived, so a head that starts and never
/// completes times out (408).
final class ByteArrivalNotifier: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connection: ConnectionHandler

    init(connection: ConnectionHandler) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.bytesArrived()
        context.fireChannelRead(data)
    }
}
