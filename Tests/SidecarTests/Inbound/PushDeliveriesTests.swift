// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

@testable import Sidecar
import Synchronization
import Testing

/// One delivery per message: retries join it, a late retry gets its answer, it expires after the retention, a
/// delivery that never reached the app is forgotten, and the book is bounded.
@Suite struct PushDeliveriesTests {
    let start = ContinuousClock.now

    @Test func retriesJoinTheFirstDeliveryAndGetItsAnswer() {
        let deliveries = PushDeliveries()
        guard case .first(let first) = deliveries.join("m:1", requestID: "a", now: start) else { Issue.record("not first"); return }
        guard case .retry(let retry) = deliveries.join("m:1", requestID: "b", now: start + .seconds(5)) else {
            Issue.record("not a retry"); return
        }
        #expect(first === retry)
        #expect(retry.requestID == "a")
        let heard = Mutex<[AppAnswer]>([])
        first.whenDone { answer in heard.withLock { $0.append(answer) } }
        retry.whenDone { answer in heard.withLock { $0.append(answer) } }
        #expect(heard.withLock { $0.isEmpty })
        first.complete(.noReply)
        #expect(heard.withLock { $0 } == [.noReply, .noReply])
        // A retry after the answer gets it at once; a second completion changes nothing.
        first.complete(.failed("late"))
        let late = Mutex<AppAnswer?>(nil)
        retry.whenDone { answer in late.withLock { $0 = answer } }
        #expect(late.withLock { $0 } == .noReply)
    }

    @Test func otherMessagesAreIndependent() {
        let deliveries = PushDeliveries()
        guard case .first = deliveries.join("m:1", requestID: "a", now: start),
            case .first = deliveries.join("m:2", requestID: "b", now: start),
            case .first = deliveries.join("e:oUser:1", requestID: "c", now: start)
        else { Issue.record("not independent"); return }
        #expect(deliveries.count == 3)
    }

    @Test func deliveriesExpireAfterTheRetention() {
        let deliveries = PushDeliveries(retention: .seconds(60))
        guard case .first = deliveries.join("m:1", requestID: "a", now: start) else { Issue.record("not first"); return }
        guard case .retry = deliveries.join("m:1", requestID: "b", now: start + .seconds(59)) else { Issue.record("expired early"); return }
        guard case .first = deliveries.join("m:1", requestID: "c", now: start + .seconds(60)) else { Issue.record("kept too long"); return }
        #expect(deliveries.count == 1)
    }

    @Test func aDeliveryThatNeverReachedTheAppIsForgotten() {
        let deliveries = PushDeliveries()
        guard case .first(let first) = deliveries.join("m:1", requestID: "a", now: start) else { Issue.record("not first"); return }
        deliveries.complete("m:1", first, with: .unreachable("connect"))
        guard case .first(let second) = deliveries.join("m:1", requestID: "b", now: start) else { Issue.record("not forgotten"); return }
        // A late end of a delivery that was replaced leaves the new one alone.
        deliveries.complete("m:1", first, with: .unreachable("connect"))
        guard case .retry(let joined) = deliveries.join("m:1", requestID: "c", now: start) else { Issue.record("lost"); return }
        #expect(joined === second)
    }

    @Test func repliesHeldForRetriesStayWithinTheBudget() {
        let deliveries = PushDeliveries(retention: .seconds(60), capacity: 10, replyBudget: 100)
        let reply = AppAnswer.reply([UInt8](repeating: 0x61, count: 60))
        guard case .first(let first) = deliveries.join("m:1", requestID: "a", now: start),
            case .first(let second) = deliveries.join("m:2", requestID: "b", now: start)
        else { Issue.record("not first"); return }
        let heard = Mutex<AppAnswer?>(nil)
        second.whenDone { answer in heard.withLock { $0 = answer } }
        deliveries.complete("m:1", first, with: reply)
        deliveries.complete("m:2", second, with: reply)
        #expect(deliveries.heldReplyBytes == 60)
        // The request waiting on the second got the reply; a later retry of it gets success (over budget).
        #expect(heard.withLock { $0 } == reply)
        let late = Mutex<[AppAnswer]>([])
        first.whenDone { answer in late.withLock { $0.append(answer) } }
        second.whenDone { answer in late.withLock { $0.append(answer) } }
        #expect(late.withLock { $0 } == [reply, .noReply])
        // Expiry gives the budget back.
        _ = deliveries.join("m:3", requestID: "c", now: start + .seconds(60))
        #expect(deliveries.heldReplyBytes == 0)
    }

    @Test func theBookIsBounded() {
        let deliveries = PushDeliveries(retention: .seconds(60), capacity: 2)
        _ = deliveries.join("m:1", requestID: "a", now: start)
        _ = deliveries.join("m:2", requestID: "b", now: start)
        guard case .full = deliveries.join("m:3", requestID: "c", now: start + .seconds(1)) else { Issue.record("not full"); return }
        guard case .first = deliveries.join("m:3", requestID: "c", now: start + .seconds(61)) else { Issue.record("never freed"); return }
    }
}
