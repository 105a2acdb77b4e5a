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

    /// The app answered (or failed to): every waiting request learns it.
    func complete(_ answer: AppAnswer) {
        let waiting: [@Sendable (AppAnswer) -> Void] = state.withLock { state in
            guard case .pending(let waiting) = state else { return [] }
            state = .done(answer)
            return waiting
        }
        for callback in waiting { callback(answer) }
    }
}

/// An account's deliveries by message (``ReceivedPush/deliveryKey``), kept for ``retention`` after they start so
/// WeChat's retries (three, 5 s apart) find them; at most ``capacity`` at once.
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
    private let book = Mutex<Book>(Book())

    private struct Book {
        var byKey: [String: (delivery: PushDelivery, started: ContinuousClock.Instant)] = [:]
        /// Keys in start order, for expiry.
        var order = CircularBuffer<(key: String, started: ContinuousClock.Instant)>()
    }

    init(retention: Duration = .seconds(60), capacity: Int = 10_000) {
        self.retention = retention
        self.capacity = capacity
    }

    /// The delivery of the message `key`: a new one (its id `requestID`) unless one started within ``retention``.
    func join(_ key: String, requestID: String, now: ContinuousClock.Instant) -> Joined {
        book.withLock { book in
            while let oldest = book.order.first, now - oldest.started >= retention {
                book.order.removeFirst()
                if let held = book.byKey[oldest.key], held.started == oldest.started { book.byKey[oldest.key] = nil }
            }
            if let held = book.byKey[key] { return .retry(held.delivery) }
            guard book.byKey.count < capacity else { return .full }
            let delivery = PushDelivery(requestID: requestID)
            book.byKey[key] = (delivery, now)
            book.order.append((key, now))
            return .first(delivery)
        }
    }

    /// Forgets `delivery` (the app was never reached), so that WeChat's next retry tries again.
    func forget(_ key: String, _ delivery: PushDelivery) {
        book.withLock { book in
            if let held = book.byKey[key], held.delivery === delivery { book.byKey[key] = nil }
        }
    }

    /// Deliveries held.
    var count: Int { book.withLock { $0.byKey.count } }
}
