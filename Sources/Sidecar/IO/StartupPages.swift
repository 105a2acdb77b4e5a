// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Logging
import SidecarCore

/// Lets go of the code and read-only data pages that starting up touched (configuration parsing, the Swift
/// runtime's conformance scans, ICU, TLS setup), once the daemon is serving.
///
/// The kernel maps an executable's pages in 64 KiB windows (or whole large folios) around every page touched, so a
/// few hundred one-off startup accesses leave ~20 MiB of the static binary resident for the process's life, most of
/// it never used again (BENCHMARKS.md). `madvise(MADV_DONTNEED)` on a private, read-only file mapping with no page
/// of its own drops those pages from the process; the next access maps them again from the page cache, so only the
/// windows the serving path uses come back. Writable mappings, relocated data and anonymous memory are never
/// touched (``MappedRegion/isReleasable``).
public enum StartupPages {
    /// What was released: mappings and the resident KiB they held.
    public struct Released: Sendable, Equatable {
        public var mappings: Int
        public var kib: Int
        static let none = Released(mappings: 0, kib: 0)
    }

    /// Releases every releasable mapping of the process (Linux; elsewhere nothing). Blocking: reads
    /// `/proc/self/smaps`; call it through ``BlockingIO``.
    public static func release() -> Released {
        #if os(Linux)
        guard case .success(let bytes) = FileChecks.read("/proc/self/smaps", limit: 8 << 20) else { return .none }
        var released = Released.none
        for region in MappedRegion.parse(smaps: String(decoding: bytes, as: UTF8.self)) where region.isReleasable {
            guard let address = UnsafeMutableRawPointer(bitPattern: region.start),
                madvise(address, Int(region.end - region.start), MADV_DONTNEED) == 0
            else { continue }
            released.mappings += 1
            released.kib += region.residentKiB
        }
        return released
        #else
        return .none
        #endif
    }

    /// ``release()`` off the concurrency pool, logged once.
    public static func release(logger: Logger) async {
        guard let released = try? await BlockingIO.run({ release() }) else { return }
        logger.info("released startup pages", metadata: [
            "wxsidecar.memory.released_kib": "\(released.kib)", "wxsidecar.memory.mappings": "\(released.mappings)",
        ])
    }
}
