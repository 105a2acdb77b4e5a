// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import SidecarCore
import WeChatPush

/// One request on a push path, from its body to the answer to WeChat. Reads the body (at most the cap), runs the
/// checks (``PushIntake``), joins the message's delivery (``PushDeliveries``: the first request hands it to the app,
/// retries wait on that), and answers with the app's reply or, by the reply timeout, `success`. Lives on its
/// connection's event loop; a hang-up stops the answer, never the delivery (a retry may want its result).
final class PushCall: ServedCall {
    private let account: PushAccount
    private let method: String
    private let query: Substring?
    private let seqid: String
    private let eventLoop: any EventLoop
    private let answered: (CallOutcome) -> Void
    private var body: [UInt8] = []
    private var timer: Scheduled<Void>?
    private var done = false

    init(
        account: PushAccount, method: String, target: String, seqid: String, eventLoop: any EventLoop,
        answered: @escaping (CallOutcome) -> Void
    ) {
        self.account = account
        self.method = method
        self.query = target.firstIndex(of: "?").map { target[target.index(after: $0)...] }
        self.seqid = seqid
        self.eventLoop = eventLoop
        self.answered = answered
        account.metrics.received.increment()
    }

    func receive(_ chunk: ByteBuffer) {
        guard !done else { return }
        guard body.count + chunk.readableBytes <= account.intake.maxBodyBytes else {
            return refuse(.tooLarge(limit: account.intake.maxBodyBytes))
        }
        body += chunk.readableBytesView
    }

    func requestEnded() {
        guard !done else { return }
        let now = Int64(Date().timeIntervalSince1970)
        switch account.intake.open(method: method, query: query, body: body, now: now) {
        case .refused(let refusal):
            refuse(refusal)
        case .echo(let echostr):
            account.metrics.verified.increment()
            finish(status: 200, contentType: "text/plain; charset=utf-8", body: Array(echostr.utf8), label: "url_verified")
        case .push(let push):
            account.metrics.verified.increment()
            deliver(push)
        }
    }

    func cancel() {
        done = true
        timer?.cancel()
    }

    // MARK: - Delivering

    private func deliver(_ push: ReceivedPush) {
        let delivery: PushDelivery
        switch account.deliveries.join(push.deliveryKey, requestID: seqid, now: .now) {
        case .full:
            account.logger.warning("push deliveries full; WeChat will retry", metadata: logMetadata(push))
            return finish(status: 503, contentType: "application/json; charset=utf-8",
                body: Array(WeChatErrorBody.json(errcode: -1, errmsg: "too many messages in flight, retry").utf8), label: "push_overloaded")
        case .first(let started):
            delivery = started
            start(started, push: push)
        case .retry(let joined):
            account.metrics.deduplicated.increment()
            delivery = joined
        }
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let eventLoop = self.eventLoop
        timer = eventLoop.scheduleTask(in: .nanoseconds(Int64(account.replyTimeout.nanoseconds))) {
            loopBound.value.reply(to: push, answer: nil)
        }
        delivery.whenDone { answer in
            eventLoop.execute { loopBound.value.reply(to: push, answer: answer) }
        }
    }

    /// Hands the message to the app, once; the delivery outlives this request.
    private func start(_ delivery: PushDelivery, push: ReceivedPush) {
        let account = self.account
        Task {
            let started = ContinuousClock.now
            let answer = await account.forwarder.deliver(push, requestID: delivery.requestID)
            account.metrics.appDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            account.metrics.forwarded(answer.label).increment()
            account.deliveries.complete(push.deliveryKey, delivery, with: answer)
        }
    }

    /// The answer to WeChat: the app's reply, or `success` (`answer` is `nil` when the reply timeout came first).
    private func reply(to push: ReceivedPush, answer: AppAnswer?) {
        guard !done else { return }
        let now = Int64(Date().timeIntervalSince1970)
        let reply = PushReply.compose(answer, to: push, seal: account.seal(now: now), now: now)
        account.metrics.replies(reply.kind).increment()
        if answer == nil || reply.problem != nil || answer?.handedOver == false || reply.kind == "app_error" {
            var metadata = logMetadata(push)
            metadata["wxsidecar.push.reply"] = "\(reply.kind)"
            if let answer { metadata["wxsidecar.push.app"] = "\(answer.label)" }
            if let problem = reply.problem { metadata["wxsidecar.push.problem"] = "\(problem)" }
            account.logger.warning("answered WeChat success without the app's reply; the message was kept", metadata: metadata)
        }
        finish(status: 200, contentType: reply.contentType, body: reply.body, label: "push_\(reply.kind)", push: push)
    }

    private func logMetadata(_ push: ReceivedPush) -> Logger.Metadata {
        [
            "wxsidecar.appid": "\(account.appid)", "wxsidecar.seqid": "\(seqid)",
            "wxsidecar.push.id": "\(Printable.clip(push.logID, to: 64))",
            "wxsidecar.push.type": "\(Printable.clip(push.msgType, to: 32))",
        ]
    }

    // MARK: - Answering

    private func refuse(_ refusal: PushRefusal) {
        account.metrics.refused(refusal.label).increment()
        var outcome = outcome(
            status: refusal.status, contentType: "application/json; charset=utf-8",
            body: Array(WeChatErrorBody.json(errcode: refusal.errcode, errmsg: refusal.message).utf8),
            label: "push_refused_\(refusal.label)")
        outcome.errcode = refusal.errcode
        outcome.closeConnection = refusal.label == "too_large"
        complete(outcome)
    }

    private func finish(status: Int, contentType: String, body: [UInt8], label: String, push: ReceivedPush? = nil) {
        var outcome = outcome(status: status, contentType: contentType, body: body, label: label)
        if let push {
            outcome.details = ["wxsidecar.push.id": "\(Printable.clip(push.logID, to: 64))"]
        }
        complete(outcome)
    }

    private func outcome(status: Int, contentType: String, body: [UInt8], label: String) -> CallOutcome {
        var outcome = CallOutcome(
            status: status, headers: ["Content-Type": contentType], body: ByteBuffer(bytes: body), pathLabel: "push",
            path: account.path)
        outcome.answerLabel = label
        outcome.appid = account.appid
        return outcome
    }

    private func complete(_ outcome: CallOutcome) {
        guard !done else { return }
        done = true
        timer?.cancel()
        answered(outcome)
    }
}
