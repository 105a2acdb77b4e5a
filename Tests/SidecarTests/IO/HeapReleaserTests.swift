// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if os(Linux)
import Glibc
@testable import Sidecar
import SidecarCore
import Synchronization
import Testing
import TestSupport

/// Handing a burst's freed heap back, in this test process: glibc keeps a freed run below a live block, the
/// releaser returns it once nothing is in flight, counts it and says so at debug.
@Suite struct HeapReleaserTests {
    final class InFlight: Sendable {
        let count = Atomic<Int>(0)
    }

    /// A burst: `mebibytes` of 64 KiB blocks (below glibc's mmap threshold, so from the heap), written to, then
    /// freed but the last, which keeps the freed run from being the top of the heap (that part glibc returns itself).
    struct Burst {
        static let blockSize = 64 << 10
        let freed: [UInt]
        let pinned: UnsafeMutableRawPointer

        init(mebibytes: Int) {
            let blocks = (0..<(mebibytes * 16)).map { _ in
                let block = UnsafeMutableRawPointer.allocate(byteCount: Self.blockSize, alignment: 16)
                block.initializeMemory(as: UInt8.self, repeating: 0xA5, count: Self.blockSize)
                return block
            }
            blocks.dropLast().forEach { $0.deallocate() }
            freed = blocks.dropLast().map { UInt(bitPattern: $0) }
            pinned = blocks.last!
        }

        /// Of the freed blocks' inner pages (the first and last hold allocator headers), the share resident now
        /// (`mincore`). Other suites running in this process may reuse a few blocks meanwhile.
        func residentShare() -> Double {
            let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
            var resident = 0
            var total = 0
            for start in freed {
                let first = (start + page - 1) / page * page + page
                let end = (start + UInt(Self.blockSize)) / page * page - page
                guard end > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { continue }
                var vector = [UInt8](repeating: 0, count: Int((end - first) / page))
                guard mincore(address, Int(end - first), &vector) == 0 else { continue }
                resident += vector.filter { $0 & 1 == 1 }.count
                total += vector.count
            }
            return total == 0 ? 0 : Double(resident) / Double(total)
        }
    }

    /// What the release does, with nothing awaited between the burst and the release: the other suites running in
    /// this process get no time to allocate into the freed run first (waiting for a tick under their load let
    /// them take back a quarter of it).
    @Test func theReleaseReturnsTheFreedRun() {
        let burst = Burst(mebibytes: 48)
        defer { burst.pinned.deallocate() }
        #expect(burst.residentShare() > 0.9, "free() alone returned the freed run")
        #expect(HeapReleaser.release() != nil)
        #expect(burst.residentShare() < 0.25, "the freed run went back")
    }

    @Test func aBurstsFreedHeapGoesBackOnceNothingIsInFlight() async throws {
        let capture = LogCapture()
        let metrics = SidecarMetrics()
        let inFlight = InFlight()
        let releaser = HeapReleaser(
            requestsInFlight: { inFlight.count.load(ordering: .relaxed) }, metrics: metrics,
            logger: capture.logger(),
            // A pool of its own: the shared one may be busy with other suites' files for seconds, while their
            // allocations take back part of the freed run.
            pool: FileIOPool(concern: "test", threadLimit: 1, timeout: .seconds(10)))
        var schedule = HeapReleaseSchedule(minimumGrowthKiB: 4096)
        #expect(await releaser.tick(&schedule) == nil, "the first look only takes the baseline")

        let burst = Burst(mebibytes: 48)
        defer { burst.pinned.deallocate() }
        #expect(burst.residentShare() > 0.9, "free() alone returned the freed run")
        inFlight.count.store(3, ordering: .relaxed)
        #expect(await releaser.tick(&schedule) == nil, "requests in flight: not now")
        #expect(burst.residentShare() > 0.9, "released while requests were in flight")

        inFlight.count.store(0, ordering: .relaxed)
        let released = try #require(await releaser.tick(&schedule))
        #expect(released > 0)
        let counted = MetricText.value(
            of: "wxsidecar_heap_released_bytes_total", in: String(decoding: metrics.render(), as: UTF8.self))
        #expect(counted == Double(released * 1024))
        #expect(capture.contains("returned freed heap memory"))
        #expect(capture.contains("wxsidecar.memory.released_kib=\(released)"))
    }

    @Test func theServiceStopsWhenCancelled() async throws {
        let releaser = HeapReleaser(
            interval: .milliseconds(5), requestsInFlight: { 0 }, metrics: SidecarMetrics(),
            logger: LogCapture().logger())
        let running = Task { try await releaser.run() }
        running.cancel()
        try await running.value
    }
}
#endif
