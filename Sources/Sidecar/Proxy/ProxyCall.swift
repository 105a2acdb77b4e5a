// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import NIOHTTP1
import Prometheus

/// One WeChat API call, from its request head to its answer: admission (target, whitelist, quota, token, declared
/// size), the body (within `limits.max_body_bytes` and the global ``BodyBudget``), the transfer, the token-error
/// recovery and the one retry, and the outcome. It owns whichever transfer is live, the first or the retry, so a
/// caller that hangs up cancels the right one.
///
/// Lives on its connection's event loop: every method is called there, and libcurl's completions hop back to it.
/// Only a token error takes a task (the refresher is an actor). ``answer`` is called exactly once, unless the call
/// was cancelled first.
final class ProxyCall {
    private enum State {
        /// Admitted; the body is arriving.
        case readingBody(ProxyForwarder.Call)
        /// A transfer is in flight (`retry`: the one after a token recovery).
        case transferring(ProxyForwarder.Call, UpstreamTransfer, AnswerStream, retry: Bool)
        /// A binary answer is being streamed to the caller.
        case streaming(ProxyForwarder.Call, UpstreamTransfer, AnswerStream, retry: Bool)
        /// Waiting for the refresher after WeChat rejected the token.
        case recovering
        /// Answered, or cancelled.
        case done
    }

    private let forwarder: ProxyForwarder
    private let eventLoop: any EventLoop
    private let budget: BodyBudget
    /// Its connection: holding it keeps the connection's handler alive while the call runs, as the connection
    /// holds the call (the connection lets go of the call once it is answered, cancelled or timed out).
    private let delegate: any ProxyCallDelegate
    private var state: State
    private var body: ByteBuffer?
    /// Bytes of ``body`` reserved in ``budget``.
    private var reserved = 0
    /// Whether the request declared a body (`Content-Length` or `Transfer-Encoding`): POST with none sends length 0.
    private let declaresBody: Bool

    /// How a call starts.
    enum Start {
        /// Admitted: the call reads the body next.
        case admitted(ProxyCall)
        /// The head alone decides the answer (refused, token not ready).
        case answered(CallOutcome)
    }

    /// Checks the head.
    /// - Parameter grant: the appids the caller's key may use (`nil`: every account).
    static func start(
        head: HTTPRequestHead, grant: Set<String>?, forwarder: ProxyForwarder, budget: BodyBudget,
        eventLoop: any EventLoop, delegate: any ProxyCallDelegate
    ) -> Start {
        switch forwarder.admit(method: head.method.rawValue, rawTarget: head.uri, headers: head.headers, grant: grant) {
        case .answer(let outcome):
            return .answered(outcome)
        case .forward(let call):
            let declaresBody = head.headers.contains(name: "content-length") || head.headers.contains(name: "transfer-encoding")
            return .admitted(
                ProxyCall(
                    call: call, forwarder: forwarder, budget: budget, eventLoop: eventLoop, declaresBody: declaresBody,
                    delegate: delegate))
        }
    }

    private init(
        call: ProxyForwarder.Call, forwarder: ProxyForwarder, budget: BodyBudget, eventLoop: any EventLoop,
        declaresBody: Bool, delegate: any ProxyCallDelegate
    ) {
        self.state = .readingBody(call)
        self.forwarder = forwarder
        self.budget = budget
        self.eventLoop = eventLoop
        self.declaresBody = declaresBody
        self.delegate = delegate
    }

    // MARK: The request

    /// A piece of the request body.
    func receive(_ chunk: ByteBuffer) {
        guard case .readingBody(let call) = state else { return }
        let limit = forwarder.settings.maxBodyBytes
        guard (body?.readableBytes ?? 0) + chunk.readableBytes <= limit else {
            return finish(forwarder.answer(.bodyTooLarge(limit: limit), pathLabel: call.pathLabel, path: call.path))
        }
        guard budget.reserve(chunk.readableBytes) else {
            return finish(
                forwarder.answer(.bodyBudgetExhausted(budget: budget.limit), pathLabel: call.pathLabel, path: call.path))
        }
        reserved += chunk.readableBytes
        if body == nil {
            // A chunk is usually a slice of the connection's receive buffer: copied into a buffer of its own size,
            // so a call waiting for libcurl does not pin that buffer (and the channel can reuse it for its next
            // read).
            body = chunk.storageCapacity > 2 * chunk.readableBytes ? ByteBuffer(buffer: chunk) : chunk
        } else {
            body!.writeImmutableBuffer(chunk)
        }
    }

    /// The request was read whole: send it.
    func requestEnded() {
        guard case .readingBody(let call) = state else { return }
        if body == nil && declaresBody { body = ByteBuffer() }
        send(call, token: call.token, retry: false)
    }

    /// The caller went away: cancel whichever transfer is live; nothing is answered.
    func cancel() {
        switch state {
        case .transferring(_, let transfer, _, _), .streaming(_, let transfer, _, _):
            transfer.cancel()
            forwarder.metrics.upstreamCancelled.increment()
        default:
            break
        }
        state = .done
        release()
    }

    // MARK: Transfers

    private func send(_ call: ProxyForwarder.Call, token: AccessToken, retry: Bool) {
        let stream = AnswerStream(call: self, eventLoop: eventLoop, retry: retry, buffersAll: call.security != nil)
        switch forwarder.send(call, token: token, body: body, consumer: stream) {
        case .success(let transfer):
            state = .transferring(call, transfer, stream, retry: retry)
        case .failure(let refusal):
            finish(forwarder.answer(refusal, pathLabel: call.pathLabel, path: call.path, appid: call.account.appid))
        }
    }

    // MARK: Streamed answers

    func streamStarted(_ head: UpstreamResponseHead) {
        guard case .transferring(let call, let transfer, let stream, let retry) = state else { return }
        state = .streaming(call, transfer, stream, retry: retry)
        var outcome = forwarder.streamedOutcome(head, for: call)
        outcome.retriedWithNewToken = retry
        let length = head.firstHeaderValue("content-length").flatMap(Int.init)
        delegate.callStreamStarted(outcome, length: length)
    }

    func streamPart(_ part: ByteBuffer) {
        guard case .streaming(_, let transfer, let stream, _) = state else { return }
        let bytes = part.readableBytes
        delegate.callStreamPart(part) {
            if stream.written(bytes) { transfer.resume() }
        }
    }

    // MARK: Ends

    func transferEnded(_ result: Result<UpstreamStreamEnd, CurlError>, retry: Bool) {
        switch state {
        case .streaming:
            state = .done
            release()
            if case .failure(let error) = result, error.kind != .cancelled {
                forwarder.metrics.upstreamErrors(error.label).increment()
            }
            if case .success = result { delegate.callStreamEnded(complete: true) } else { delegate.callStreamEnded(complete: false) }
        case .transferring(let call, let transfer, _, _):
            let response: Result<UpstreamResponse, CurlError>
            switch result {
            case .success(.buffered(let whole)): response = .success(whole)
            case .success(.streamed): return  // streamed answers end in the .streaming state
            case .failure(let error): response = .failure(error)
            }
            var first = forwarder.outcome(of: response, for: call, from: transfer.baseURL)
            first.retriedWithNewToken = retry
            guard !retry, first.carriesTokenError else { return finish(first) }
            let outcome = first
            forwarder.metrics.upstreamErrors("token_invalid").increment()
            state = .recovering
            let refresher = call.account.refresher
            let failing = call.token.value
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            let eventLoop = self.eventLoop
            Task {
                let fresh = await refresher.recover(from: failing)
                eventLoop.execute { loopBound.value.recovered(fresh, call: call, firstOutcome: outcome) }
            }
        default:
            return  // cancelled meanwhile
        }
    }

    private func recovered(_ fresh: AccessToken?, call: ProxyForwarder.Call, firstOutcome: CallOutcome) {
        guard case .recovering = state else { return }  // cancelled meanwhile
        guard let fresh else { return finish(firstOutcome) }
        send(call, token: fresh, retry: true)
    }

    private func finish(_ outcome: CallOutcome) {
        state = .done
        release()
        delegate.callAnswered(outcome)
    }

    private func release() {
        body = nil
        budget.release(reserved)
        reserved = 0
    }
}

/// What a ``ProxyCall`` tells its connection, on the event loop. A protocol the connection's handler adopts rather
/// than four closures per call: one reference instead of four allocated contexts (BENCHMARKS.md, session 11).
protocol ProxyCallDelegate: AnyObject {
    /// The whole answer (exactly once, unless the call streams or was cancelled).
    func callAnswered(_ outcome: CallOutcome)
    /// A streamed answer begins: status and headers (`body` empty; `length` the upstream's length).
    func callStreamStarted(_ outcome: CallOutcome, length: Int?)
    /// The next part of a streamed answer; `written` runs once it reached the caller's socket.
    func callStreamPart(_ part: ByteBuffer, written: @escaping () -> Void)
    /// The streamed answer ended: `complete`, or cut short (the connection must close).
    func callStreamEnded(complete: Bool)
}
