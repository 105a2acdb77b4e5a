// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CMalloc
import Logging
import Prometheus
import ServiceLifecycle
import SidecarCore

/// Hands the heap's freed pages back to the system once a burst is over (``HeapReleaseSchedule`` says when): after
/// a thousand callers fetched images at once, a quiet sidecar goes back to its idle footprint instead of keeping
/// the burst's peak for the rest of its life (inside a pod's memory limit, that peak is what counts).
///
/// At start and every ``interval`` it reads its anonymous memory; when nothing is in flight and that grew by
/// ``HeapReleaseSchedule/minimumGrowthKiB`` since the last release, it calls `malloc_trim(0)`, counts the bytes in
/// `wxsidecar_heap_released_bytes_total` and logs them at debug. Both run on ``FileIOPool/memory``: the trim holds
/// the allocator's locks for milliseconds and must not stall the concurrency pool.
struct HeapReleaser: Service, CustomStringConvertible {
    /// How often the heap is looked at.
    var interval: Duration = .seconds(10)
    /// Requests being served now, on every listener.
    let requestsInFlight: @Sendable () -> Int
    let metrics: SidecarMetrics
    let logger: Logger
    /// Where the blocking work runs.
    var pool: FileIOPool = .memory

    var description: String { "HeapReleaser" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var schedule = HeapReleaseSchedule()
            await tick(&schedule)  // the baseline: what the daemon holds as it starts
            while (try? await Task.sleep(for: interval)) != nil {
                await tick(&schedule)
            }
        }
    }

    /// One look at the heap, releasing its free pages if `schedule` says so.
    /// - Returns: the KiB released, or `nil` when it was not time.
    @discardableResult
    func tick(_ schedule: inout HeapReleaseSchedule) async -> Int? {
        guard let before = try? await BlockingIO.run(on: pool, { Self.anonymousKiB() }),
            schedule.shouldRelease(anonymousKiB: before, requestsInFlight: requestsInFlight()),
            let after = try? await BlockingIO.run(on: pool, { Self.release() })
        else { return nil }
        schedule.released(anonymousKiBAfter: after)
        let kib = max(0, before - after)
        metrics.heapReleasedBytes.increment(by: Int64(kib) * 1024)
        logger.debug("returned freed heap memory", metadata: [
            "wxsidecar.memory.released_kib": "\(kib)", "wxsidecar.memory.anonymous_kib": "\(after)",
        ])
        return kib
    }

    /// `RssAnon` of this process. Blocking.
    static func anonymousKiB() -> Int? {
        guard case .success(let bytes) = FileChecks.read("/proc/self/status", limit: 64 << 10) else { return nil }
        return ProcessStatus.anonymousKiB(status: String(decoding: bytes, as: UTF8.self))
    }

    /// `malloc_trim(0)`, then what is left. Blocking.
    static func release() -> Int? {
        _ = malloc_trim(0)
        return anonymousKiB()
    }
}
