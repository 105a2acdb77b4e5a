// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus
import SidecarCore
import Synchronization

/// The quota guard: per-path token buckets from `rate_limits`, answering `429` with errcode 45011 before
/// WeChat would, so one runaway app cannot spend the account's quota for everyone.
final class QuotaGuard: Sendable {
    private let rules: [RateLimitRule]
    private let buckets: Mutex<[TokenBucket]>
    private let metrics: AccountMetrics

    init(rules: [RateLimitRule], metrics: AccountMetrics) {
        self.rules = rules
        self.buckets = Mutex(rules.map { TokenBucket(capacity: $0.limit, period: $0.period) })
        self.metrics = metrics
        for rule in rules { metrics.rateLimited(rule.path).increment(by: Int64(0)) }
    }

    /// `nil` when `path` may be forwarded now (taking a permit from every rule that covers it), else the answer.
    func spend(on path: some StringProtocol, at now: Double = WallClock.now()) -> SidecarAnswer? {
        guard !rules.isEmpty else { return nil }
        let refused: (RateLimitRule, Double)? = buckets.withLock { buckets in
            for index in rules.indices where rules[index].covers(path) {
                if !buckets[index].take(at: now) {
                    return (rules[index], buckets[index].secondsUntilNextPermit(at: now))
                }
            }
            return nil
        }
        guard let (rule, wait) = refused else { return nil }
        metrics.rateLimited(rule.path).increment()
        return SidecarAnswer(
            status: 429, errcode: 45011,
            errmsg: "api quota reached in the sidecar: rate_limits allows \(rule) (next call in \(Int(wait.rounded(.up)))s)",
            label: "rate_limited")
    }
}
