// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Which of the configured upstream base URLs a call tries, in order, and what each call's attempts taught:
/// a pure state machine, told the time (`now`, seconds on any monotonic clock) with every event.
///
/// The first URL is the primary (`upstream.base_url`), the rest the fallbacks (`upstream.fallback_urls`) in their
/// order. A call tries the first URL that is not cooling down; when that attempt fails before any byte of the
/// request was sent, the call may try once more on the next such URL after it (``fallback(after:at:)``).
/// After ``Policy/failuresBeforeCooldown`` failures to connect in a row a URL is skipped for
/// ``Policy/cooldown``; the first call after that tries it again first (a probe: one call at a time, the others
/// keep skipping it until the probe is answered), and one more failure cools it down again.
public struct UpstreamHealth: Sendable, Equatable {
    /// When a URL is skipped, and for how long.
    public struct Policy: Sendable, Equatable {
        /// Failures to connect in a row after which a URL is skipped.
        public var failuresBeforeCooldown: Int
        /// Seconds a URL is skipped for.
        public var cooldown: Double

        /// 3 failures, then 30 s.
        public init(failuresBeforeCooldown: Int = 3, cooldown: Double = 30) {
            self.failuresBeforeCooldown = failuresBeforeCooldown
            self.cooldown = cooldown
        }
    }

    /// What one attempt on a URL showed.
    public enum Attempt: Sendable, Equatable {
        /// A connection was made: an answer came, or the request was sent (whatever happened next).
        case reached
        /// The URL could not be reached: the attempt failed before any byte of the request was sent.
        case unreachable
        /// Nothing learnt: the call was cancelled or refused before it reached the network.
        case inconclusive
    }

    /// A URL's state, for status and logs.
    public enum State: Sendable, Equatable {
        /// Calls go to it; its last attempt reached it (or it has not been tried).
        case up
        /// Its last `failures` attempts (fewer than the policy's) could not connect; calls still try it first.
        case failing(failures: Int)
        /// Skipped for `remaining` more seconds.
        case coolingDown(remaining: Double)
        /// Its cool-down is over: the next call tries it first.
        case probeDue
        /// A call is trying it after its cool-down; other calls skip it until that attempt ends.
        case probing

        /// Whether the URL is being skipped for a while.
        public var isCoolingDown: Bool {
            if case .coolingDown = self { true } else { false }
        }

        /// A bounded label: `up`, `failing`, `cooling_down`, `probe_due`, `probing`.
        public var label: String {
            switch self {
            case .up: "up"
            case .failing: "failing"
            case .coolingDown: "cooling_down"
            case .probeDue: "probe_due"
            case .probing: "probing"
            }
        }
    }

    /// One URL's record.
    private struct Record: Sendable, Equatable {
        var failures = 0
        var coolingUntil: Double?
        var probingSince: Double?
    }

    public let policy: Policy
    private var records: [Record]
    /// The URL that was reached last: the one in use.
    public private(set) var inUse = 0

    /// The health of `count` URLs (at least one), all up, the first in use.
    public init(count: Int, policy: Policy = Policy()) {
        precondition(count >= 1, "at least the primary URL")
        self.policy = policy
        self.records = Array(repeating: Record(), count: count)
    }

    /// How many URLs there are.
    public var count: Int { records.count }

    // MARK: Choosing

    /// The URL a new call tries first: the first one not cooling down and not being probed by another call (a
    /// URL whose cool-down is over becomes this call's probe); the primary when every URL is skipped.
    public mutating func first(at now: Double) -> Int {
        guard let index = records.indices.first(where: { isUsable($0, at: now) }) else { return 0 }
        reserveIfProbe(index, at: now)
        return index
    }

    /// The URL to try after an attempt on `failed` did not reach it: the next usable one after it in the order,
    /// or `nil` when there is none (the call then fails with the error it got).
    public mutating func fallback(after failed: Int, at now: Double) -> Int? {
        guard let index = records.indices.first(where: { $0 > failed && isUsable($0, at: now) }) else { return nil }
        reserveIfProbe(index, at: now)
        return index
    }

    // MARK: Learning

    /// Records what an attempt on `index` showed.
    public mutating func record(_ attempt: Attempt, on index: Int, at now: Double) {
        records[index].probingSince = nil
        switch attempt {
        case .reached:
            records[index].failures = 0
            records[index].coolingUntil = nil
            inUse = index
        case .unreachable:
            records[index].failures += 1
            if records[index].failures >= policy.failuresBeforeCooldown {
                records[index].coolingUntil = now + policy.cooldown
            }
        case .inconclusive:
            break
        }
    }

    // MARK: Reading

    /// The state of `index` at `now`.
    public func state(of index: Int, at now: Double) -> State {
        let record = records[index]
        if let since = record.probingSince, now - since < policy.cooldown { return .probing }
        if let until = record.coolingUntil {
            return now < until ? .coolingDown(remaining: until - now) : .probeDue
        }
        return record.failures > 0 ? .failing(failures: record.failures) : .up
    }

    private func isUsable(_ index: Int, at now: Double) -> Bool {
        switch state(of: index, at: now) {
        case .up, .failing, .probeDue: true
        case .coolingDown, .probing: false
        }
    }

    /// Makes `index` this call's probe when its cool-down is over. A probe whose end is never recorded stops
    /// holding the URL after one more cool-down.
    private mutating func reserveIfProbe(_ index: Int, at now: Double) {
        if state(of: index, at: now) == .probeDue { records[index].probingSince = now }
    }
}
