// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// When to hand the heap's freed pages back to the system.
///
/// glibc keeps what a burst freed (a thousand streamed images at once leave ~100 MiB of free chunks spread over its
/// arenas) and returns only a free run at the very top of each heap; the rest stays resident until something is
/// allocated there again (BENCHMARKS.md, session 7). `malloc_trim(0)` returns every free page, but it walks each arena
/// with its lock held (1–16 ms measured under load), so it runs only when nothing is being served, and only when the
/// anonymous memory grew since the last release: a quiet sidecar whose heap did not grow costs nothing.
///
/// Fed one sample per tick; pure, so that the rule is tested by a table.
public struct HeapReleaseSchedule: Sendable, Equatable {
    /// Growth of anonymous memory since the last release (or the first sample) that is worth a release.
    public let minimumGrowthKiB: Int
    /// Anonymous memory after the last release, or the least seen since; `nil` before the first sample.
    public private(set) var baselineKiB: Int?

    public init(minimumGrowthKiB: Int = 4096) {
        self.minimumGrowthKiB = minimumGrowthKiB
    }

    /// One tick: whether to release now.
    /// - Parameters:
    ///   - anonymousKiB: the process's anonymous resident memory now (`RssAnon`).
    ///   - requestsInFlight: requests being served now, on every listener.
    public mutating func shouldRelease(anonymousKiB: Int, requestsInFlight: Int) -> Bool {
        guard let baseline = baselineKiB else {
            baselineKiB = anonymousKiB
            return false
        }
        if anonymousKiB < baseline { baselineKiB = anonymousKiB }
        return requestsInFlight == 0 && anonymousKiB - baseline >= minimumGrowthKiB
    }

    /// After a release: what is left becomes the baseline, so a heap that really grew is not released again and again.
    public mutating func released(anonymousKiBAfter: Int) {
        baselineKiB = anonymousKiBAfter
    }
}
