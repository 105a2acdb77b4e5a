// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import Synchronization

/// One message's handing-over to the app, shared by WeChat's retries of it: the first request starts it, every
/// request for the message waits on it, and a retry after it ended gets its answer at once.
final class PushDelivery: Sendable {
    /// The request id the app saw (the first request's seqid).
    let requestID: String
    private let state = Mutex<State>(.pending([]))

    private enum State {
        case pending([@Sendable (AppAnswer) -> Void])
        case done(AppAnswer)
    }

    init(requestID: String) {
        self.requestID = requestID
    }

    /// Calls `callback` with the app's answer: now if it is in, else when it arrives (on the completing thread).
    func whenDone(_ callback: @escaping @Sendable (AppAnswer) -> Void) {
        let answer: AppAnswer? = state.withLock { state in
            switch state {
            case .done(let answer): return answer
            case .pending(var waiting):
                waiting.append(callback)
                state = .pending(waiting)
                return nil
            }
        }
        if let answer { callback(answer) }
    }

    /// The app answered (or failed to): every waiting request learns it. A later retry gets the same answer,
    /// or, when `keepReply` is false (the account's reply budget is spent), `success` instead of a reply.
    func complete(_ answer: AppAnswer, keepReply: Bool = true) {
        let kept: AppAnswer
        if case .reply = answer, !keepReply { kept = .noReply } else { kept = answer }
        let waiting: [@Sendable (AppAnswer) -> Void] = state.withLock { state in
            guard case .pending(let waiting) = state else { return [] }
            state = .done(kept)
            return waiting
        }
        for callback in waiting { callback(answer) }
    }
}

/// An account's deliveries by message (``ReceivedPush/deliveryKey``), kept for ``retention`` after they start so
/// WeChat's retries (three, 5 s apart) find them; at most ``capacity`` at once. Memory: an entry is its key and a
/// small object, and the app's replies held for retries total at most ``replyBudget`` bytes (past it, a retry gets
/// `success`; the requests waiting at the time still get the reply).
final class PushDeliveries: Sendable {
    /// What a push joins.
    enum Joined {
        /// A new message: hand it to the app.
        case first(PushDelivery)
        /// A retry of a message already being handed over (or handed over).
        case retry(PushDelivery)
        /// ``capacity`` deliveries are held and none has expired.
        case full
    }

    let retention: Duration
    let capacity: Int
    let replyBudget: Int
    private let book = Mutex<Book>(Book())

    private struct Entry {
        var delivery: PushDelivery
        var started: ContinuousClock.Instant
        /// Bytes of the app's reply held for retries.
        var replyBytes = 0
    }

    private struct Book {
        var byKey: [String: Entry] = [:]
        /// Keys in start order, for expiry.
        var order = CircularBuffer<(key: String, started: ContinuousClock.Instant)>()
        var replyBytes = 0

        mutating func remove(_ key: String) {
            if let entry = byKey.removeValue(forKey: key) { replyBytes -= entry.replyBytes }
        }
    }

    init(retention: Duration = .seconds(60), capacity: Int = 100_000, replyBudget: Int = 8 << 20) {
        self.retention = retention
        self.capacity = capacity
        self.replyBudget = replyBudget
    }

    /// The delivery of the message `key`: a new one (its id `requestID`) unless one started within ``retention``.
    func join(_ key: String, requestID: String, now: ContinuousClock.Instant) -> Joined {
        book.withLock { book in
            while let oldest = book.order.first, now - oldest.started >= retention {
                book.order.removeFirst()
                if let held = book.byKey[oldest.key], held.started == oldest.started { book.remove(oldest.key) }
            }
            if let held = book.byKey[key] { return .retry(held.delivery) }
            guard book.byKey.count < capacity else { return .full }
            let delivery = PushDelivery(requestID: requestID)
            book.byKey[key] = Entry(delivery: delivery, started: now)
            book.order.append((key, now))
            return .first(delivery)
        }
    }

    /// Ends `delivery` of the message `key` with the app's `answer`: a reply is held for retries while the
    /// budget allows; an app never reached is forgotten, so that WeChat's next retry tries again.
    func complete(_ key: String, _ delivery: PushDelivery, with answer: AppAnswer) {
        let keepReply = book.withLock { book -> Bool in
            guard let held = book.byKey[key], held.delivery === delivery else { return false }
            guard answer.handedOver else {
                book.remove(key)
                return false
            }
            guard case .reply(let bytes) = answer else { return true }
            guard book.replyBytes + bytes.count <= replyBudget else { return false }
            book.replyBytes += bytes.count
            book.byKey[key]?.replyBytes = bytes.count
            return true
        }
        delivery.complete(answer, keepReply: keepReply)
    }

    /// Bytes of replies held for retries.
    var heldReplyBytes: Int { book.withLock { $0.replyBytes } }

    /// Deliveries held.
    var count: Int { book.withLock { $0.byKey.count } }
}
