// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// When the token refresher should try next: a pure function of what the last attempts returned.
///
/// WeChat hands out a new stable token only inside the last ``RefreshPolicy/rotationLead`` seconds of the
/// current one's life, so a refresh scheduled earlier returns the same token. The schedule therefore
/// aims at `expires_in − rotationLead − margin` (never later than the configured interval), and when that
/// moment has already passed it waits just past the platform's rotation point instead of polling.
public struct RefreshPolicy: Sendable, Equatable {
    /// The configured `token.refresh_interval`, in seconds: the longest gap between two refreshes.
    public var interval: Int
    /// How long before expiry the platform rotates a stable token (5 minutes).
    public var rotationLead: Int
    /// Extra safety before the rotation point.
    public var margin: Int
    /// The shortest wait the schedule ever returns after a success.
    public var minimumDelay: Int
    /// Backoff after a transient failure: `transientBase` doubling to `transientCap` seconds.
    public var transientBase: Double
    public var transientCap: Double
    /// Backoff after a configuration error or exhausted quota: slow, so an operator's mistake never burns quota.
    public var slowBase: Double
    public var slowCap: Double

    /// The defaults the daemon uses: 1 s doubling to 60 s for transient failures, 60 s doubling to 10 minutes
    /// for configuration errors, a 60 s margin before the platform's 300 s rotation point.
    public init(
        interval: Int = 600,
        rotationLead: Int = 300,
        margin: Int = 60,
        minimumDelay: Int = 5,
        transientBase: Double = 1,
        transientCap: Double = 60,
        slowBase: Double = 60,
        slowCap: Double = 600
    ) {
        self.interval = interval
        self.rotationLead = rotationLead
        self.margin = margin
        self.minimumDelay = minimumDelay
        self.transientBase = transientBase
        self.transientCap = transientCap
        self.slowBase = slowBase
        self.slowCap = slowCap
    }
}

/// How a failed attempt should be retried.
public enum RetryPace: String, Sendable, Equatable {
    /// Network, TLS, HTTP 5xx, errcode -1 or 45011: retry soon.
    case fast
    /// Configuration errors (40013, 40125, 40164, …) and exhausted daily quota: retry slowly.
    case slow
}

public enum RefreshSchedule {
    // MARK: After a success

    /// Seconds to wait after a successful fetch that returned `expiresIn`.
    public static func delayAfterSuccess(expiresIn: Int, policy: RefreshPolicy) -> Int {
        let untilRotation = expiresIn - policy.rotationLead
        let target = untilRotation - policy.margin
        if target >= policy.minimumDelay {
            return min(policy.interval, target)
        }
        // Already inside the margin: the platform gives a new token only once it rotates, so wait until
        // just after that point instead of polling. A token with no rotation left is refreshed at once.
        return min(policy.interval, max(untilRotation + 1, policy.minimumDelay))
    }

    // MARK: After failures

    /// Seconds to wait after `consecutiveFailures` (≥ 1) failed attempts, with "equal jitter":
    /// half the exponential step is fixed, half is random (`jitter` in 0...1 picks where).
    public static func delayAfterFailure(
        consecutiveFailures: Int,
        pace: RetryPace,
        policy: RefreshPolicy,
        jitter: Double
    ) -> Double {
        let (base, cap) = pace == .fast ? (policy.transientBase, policy.transientCap) : (policy.slowBase, policy.slowCap)
        let exponent = min(max(consecutiveFailures - 1, 0), 30)
        let step = min(cap, base * Double(1 << exponent))
        let clampedJitter = min(max(jitter, 0), 1)
        return step / 2 + step / 2 * clampedJitter
    }

    /// Seconds to wait after a failure while a still-valid token is held: the backoff, but never past the
    /// moment the held token expires (one last attempt is made just before it dies).
    public static func delayAfterFailure(
        consecutiveFailures: Int,
        pace: RetryPace,
        policy: RefreshPolicy,
        jitter: Double,
        heldTokenRemaining: Double?
    ) -> Double {
        let backoff = delayAfterFailure(
            consecutiveFailures: consecutiveFailures, pace: pace, policy: policy, jitter: jitter)
        guard let remaining = heldTokenRemaining, remaining > 1 else { return backoff }
        return min(backoff, remaining - 1)
    }
}
