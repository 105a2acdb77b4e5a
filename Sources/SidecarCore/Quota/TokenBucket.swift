// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// A token bucket: holds up to `capacity` permits, refilled continuously at `capacity / period` per second.
/// Pure: the caller passes the time.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let period: Double
    private var available: Double
    private var updatedAt: Double?

    /// A full bucket of `capacity` permits per `period` seconds.
    public init(capacity: Int, period: Double) {
        self.capacity = Double(max(1, capacity))
        self.period = max(period, 0.001)
        self.available = self.capacity
    }

    /// Takes one permit at `now` if there is one.
    public mutating func take(at now: Double) -> Bool {
        if let updatedAt, now > updatedAt {
            available = min(capacity, available + (now - updatedAt) * capacity / period)
        }
        updatedAt = max(updatedAt ?? now, now)
        guard available >= 1 else { return false }
        available -= 1
        return true
    }

    /// Seconds until the next permit at `now` (0 when one is available).
    public func secondsUntilNextPermit(at now: Double) -> Double {
        var bucket = self
        if let updatedAt, now > updatedAt {
            bucket.available = min(capacity, available + (now - updatedAt) * capacity / period)
        }
        return bucket.available >= 1 ? 0 : (1 - bucket.available) * period / capacity
    }
}
