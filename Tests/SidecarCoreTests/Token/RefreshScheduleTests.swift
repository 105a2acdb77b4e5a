// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

/// When the next refresh happens: interval versus expires_in versus failures.
@Suite struct RefreshScheduleTests {
    struct SuccessCase: Sendable, CustomTestStringConvertible {
        var interval: Int
        var expiresIn: Int
        var delay: Int
        var testDescription: String { "interval \(interval), expires_in \(expiresIn) → \(delay)s" }
    }

    @Test(arguments: [
        // The interval rules while the token has plenty of life.
        SuccessCase(interval: 600, expiresIn: 7200, delay: 600),
        SuccessCase(interval: 10, expiresIn: 7200, delay: 10),
        // A long interval is cut to expires_in − 300 − 60.
        SuccessCase(interval: 7200, expiresIn: 7200, delay: 6840),
        SuccessCase(interval: 600, expiresIn: 900, delay: 540),
        SuccessCase(interval: 600, expiresIn: 365, delay: 5),
        // Stable tokens fetched late in life (expires_in >= 300): wait just past the platform's rotation point.
        SuccessCase(interval: 600, expiresIn: 345, delay: 46),
        SuccessCase(interval: 600, expiresIn: 361, delay: 62),
        SuccessCase(interval: 30, expiresIn: 345, delay: 30),
        // No rotation left: refresh soon, never in a tight loop.
        SuccessCase(interval: 600, expiresIn: 300, delay: 5),
        SuccessCase(interval: 600, expiresIn: 120, delay: 5),
        SuccessCase(interval: 600, expiresIn: 1, delay: 5),
    ])
    func delayAfterSuccess(_ row: SuccessCase) {
        let policy = RefreshPolicy(interval: row.interval)
        #expect(RefreshSchedule.delayAfterSuccess(expiresIn: row.expiresIn, policy: policy) == row.delay)
    }

    @Test(arguments: [7200, 3600, 900, 420, 365])
    func aTokenNeverSitsInTheFilePastTheRotationPoint(_ expiresIn: Int) {
        let delay = RefreshSchedule.delayAfterSuccess(expiresIn: expiresIn, policy: RefreshPolicy(interval: 7200))
        #expect(delay <= expiresIn - 300 - 60 || delay == 5)
    }

    struct FailureCase: Sendable, CustomTestStringConvertible {
        var failures: Int
        var pace: RetryPace
        var minimum: Double
        var maximum: Double
        var testDescription: String { "\(failures) \(pace) failures → \(minimum)…\(maximum)s" }
    }

    @Test(arguments: [
        FailureCase(failures: 1, pace: .fast, minimum: 0.5, maximum: 1),
        FailureCase(failures: 2, pace: .fast, minimum: 1, maximum: 2),
        FailureCase(failures: 3, pace: .fast, minimum: 2, maximum: 4),
        FailureCase(failures: 6, pace: .fast, minimum: 16, maximum: 32),
        FailureCase(failures: 7, pace: .fast, minimum: 30, maximum: 60),
        FailureCase(failures: 50, pace: .fast, minimum: 30, maximum: 60),
        FailureCase(failures: 1, pace: .slow, minimum: 30, maximum: 60),
        FailureCase(failures: 4, pace: .slow, minimum: 240, maximum: 480),
        FailureCase(failures: 5, pace: .slow, minimum: 300, maximum: 600),
        FailureCase(failures: 1000, pace: .slow, minimum: 300, maximum: 600),
    ])
    func backoffDoublesWithJitterUpToItsCap(_ row: FailureCase) {
        let policy = RefreshPolicy()
        let low = RefreshSchedule.delayAfterFailure(consecutiveFailures: row.failures, pace: row.pace, policy: policy, jitter: 0)
        let high = RefreshSchedule.delayAfterFailure(consecutiveFailures: row.failures, pace: row.pace, policy: policy, jitter: 1)
        #expect(low == row.minimum)
        #expect(high == row.maximum)
        for jitter in stride(from: 0.0, through: 1.0, by: 0.1) {
            let delay = RefreshSchedule.delayAfterFailure(consecutiveFailures: row.failures, pace: row.pace, policy: policy, jitter: jitter)
            #expect((row.minimum...row.maximum).contains(delay))
        }
    }

    @Test func aFailingRefreshRetriesJustBeforeTheHeldTokenDies() {
        let policy = RefreshPolicy()
        let delay = RefreshSchedule.delayAfterFailure(
            consecutiveFailures: 5, pace: .slow, policy: policy, jitter: 1, heldTokenRemaining: 90)
        #expect(delay == 89)
        let unbounded = RefreshSchedule.delayAfterFailure(
            consecutiveFailures: 1, pace: .fast, policy: policy, jitter: 1, heldTokenRemaining: 7000)
        #expect(unbounded == 1)
    }
}

/// Forced refreshes: at most one per 30 s and 20 per rolling day.
@Suite struct ForceRefreshBudgetTests {
    @Test func forcesCloserThan30SecondsAreRefused() {
        var budget = ForceRefreshBudget()
        #expect(budget.refusal(at: 1000) == nil)
        budget.record(at: 1000)
        #expect(budget.refusal(at: 1029.9) == .tooSoon)
        #expect(budget.refusal(at: 1030) == nil)
    }

    @Test func theTwentyFirstForceInADayIsRefusedUntilTheOldestLeavesTheWindow() {
        var budget = ForceRefreshBudget()
        for index in 0..<20 {
            #expect(budget.refusal(at: Double(index * 60)) == nil)
            budget.record(at: Double(index * 60))
        }
        #expect(budget.refusal(at: 20 * 60) == .dailyLimitReached)
        #expect(budget.used(at: 20 * 60) == 20)
        #expect(budget.refusal(at: 86_399) == .dailyLimitReached)
        #expect(budget.refusal(at: 86_400) == nil)
        #expect(budget.used(at: 86_400) == 19)
    }
}
