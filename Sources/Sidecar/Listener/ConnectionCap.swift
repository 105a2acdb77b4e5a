// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How many caller connections may be open at once (`limits.max_connections`), lowered to what the process's
/// descriptor limit leaves after ``reserve`` descriptors for upstream connections, the token file, the whitelist
/// and logs: idle sockets can never starve the sidecar's own work ("Too many open files").
final class ConnectionCap: Sendable {
    /// Descriptors kept for everything that is not a caller connection.
    static let reserve = 128

    /// The cap in force.
    let limit: Int
    private let open = Atomic<Int>(0)

    /// The cap for `configured`, given the soft `RLIMIT_NOFILE` (`descriptorLimit`, read from the process when nil).
    init(configured: Int, descriptorLimit: Int? = nil) {
        let available = (descriptorLimit ?? Self.softDescriptorLimit()) - Self.reserve
        limit = max(1, min(configured, available))
    }

    /// Counts a new connection in; `false` (nothing counted) when the cap is reached.
    func admit() -> Bool {
        let count = open.add(1, ordering: .relaxed).newValue
        guard count > limit else { return true }
        open.subtract(1, ordering: .relaxed)
        return false
    }

    /// Counts a connection out once it closed.
    func closed() {
        open.subtract(1, ordering: .relaxed)
    }

    /// Connections open now.
    var current: Int { open.load(ordering: .relaxed) }

    static func softDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: min(limit.rlim_cur, rlim_t(Int32.max)))
    }
}
