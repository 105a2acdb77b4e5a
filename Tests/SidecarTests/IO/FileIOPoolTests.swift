// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
@testable import Sidecar
import Synchronization
import Testing

/// A file operation that never returns must not hold its caller: the wait is bounded, cancellable, and a pool
/// whose threads are all stuck refuses at once. "Stuck" here is a thread blocked on a semaphore the test
/// releases at the end (the real thing, a file system that stops answering, is in ReliabilityTests).
@Suite struct FileIOPoolTests {
    /// A blocking operation and its release.
    final class Gate: Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        func block() { semaphore.wait() }
        func release(_ count: Int) { for _ in 0..<count { semaphore.signal() } }
    }

    @Test func resultsAndErrorsComeBackFromThePoolThreads() async throws {
        let pool = FileIOPool(concern: "test", threadLimit: 2, timeout: .seconds(5))
        #expect(try await pool.run { 41 + 1 } == 42)
        let name = try await pool.run { ThreadName.current }
        #expect(name == "io-test-1" || name == "io-test-2", "\(name)")
        await #expect(throws: SystemError.self) {
            try await pool.run { throw SystemError(operation: "open", path: "/x", code: ENOENT) }
        }
    }

    @Test func aStuckOperationIsAbandonedAfterTheTimeoutAndThenRefusedAtOnce() async throws {
        let pool = FileIOPool(concern: "test", threadLimit: 1, timeout: .milliseconds(300))
        let gate = Gate()
        let started = ContinuousClock.now
        await #expect(throws: FileIOStalled.self) { try await pool.run { gate.block() } }
        // Bounded: at the timeout, or a little later on a loaded machine (the timer runs on the test's own pool).
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300) && waited < .seconds(30))
        // The only thread is still stuck: the next operation is refused without waiting.
        let refusedAt = ContinuousClock.now
        do {
            _ = try await pool.run { 1 }
            Issue.record("a saturated pool ran an operation")
        } catch let error as FileIOStalled {
            #expect(error.saturated)
            #expect(ContinuousClock.now - refusedAt < .seconds(5))
        }
        gate.release(1)
        try await confirmRecovers(pool)
    }

    @Test func cancellingTheCallerAbandonsTheWait() async throws {
        let pool = FileIOPool(concern: "test", threadLimit: 2, timeout: .seconds(60))
        let gate = Gate()
        let entered = Gate()
        let caller = Task { try await pool.run { entered.release(1); gate.block() } }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                entered.block()
                continuation.resume()
            }
        }
        let cancelledAt = ContinuousClock.now
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(30))
        // The other thread still serves.
        #expect(try await pool.run { "free" } == "free")
        gate.release(1)
    }

    /// Once the stuck operation returns, the pool serves again.
    private func confirmRecovers(_ pool: FileIOPool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let value = try? await pool.run({ 7 }), value == 7 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the pool did not recover")
    }
}
