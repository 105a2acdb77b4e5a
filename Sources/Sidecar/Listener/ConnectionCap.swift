// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How many caller connections may be open at once (`limits.max_connections`), lowered to what the process's
/// descriptor limit leaves after ``reserve`` descriptors for upstream connections, the token file, the whitelist
/// and logs, so idle sockets can never starve the sidecar's own work ("Too many open files").
///
/// At the cap, a new connection closes the one idle the longest (connected, no request in progress) to take its
/// place, as nginx reuses its oldest idle keep-alive connections: a flood of idle sockets cannot lock out the probes
/// or real calls. Only when every connection is busy is the new one closed.
final class ConnectionCap: Sendable {
    /// Descriptors kept for everything that is not a caller connection.
    static let reserve = 128

    /// The cap in force.
    let limit: Int
    private let open = Atomic<Int>(0)
    /// Connections with no request in progress, by identity, each with when it became idle.
    private let idle = Mutex(IdleConnections())

    /// The idle connections, in the order they became idle.
    struct IdleConnections {
        private var channels: [ObjectIdentifier: (since: UInt64, channel: any Channel)] = [:]
        private var next: UInt64 = 0

        mutating func insert(_ channel: any Channel) {
            channels[ObjectIdentifier(channel)] = (next, channel)
            next += 1
        }

        mutating func remove(_ channel: any Channel) {
            channels.removeValue(forKey: ObjectIdentifier(channel))
        }

        /// Takes out the connection idle the longest: a connection that has just been accepted and not yet sent its
        /// request is the last to go, so a flood of sockets cannot push out the callers that come after it.
        mutating func removeOldest() -> (any Channel)? {
            guard let oldest = channels.min(by: { $0.value.since < $1.value.since }) else { return nil }
            channels.removeValue(forKey: oldest.key)
            return oldest.value.channel
        }
    }

    /// The cap for `configured`, given the soft `RLIMIT_NOFILE` (`descriptorLimit`, read from the process when nil).
    init(configured: Int, descriptorLimit: Int? = nil) {
        let available = (descriptorLimit ?? Self.softDescriptorLimit()) - Self.reserve
        limit = max(1, min(configured, available))
    }

    /// Counts a new connection in. At the cap, closes an idle connection to make room; `false` (nothing counted)
    /// when every connection is busy.
    func enter() -> Bool {
        let count = open.add(1, ordering: .relaxed).newValue
        guard count > limit else { return true }
        if let victim = idle.withLock({ $0.removeOldest() }) {
            victim.close(promise: nil)
            return true
        }
        open.subtract(1, ordering: .relaxed)
        return false
    }

    /// The connection has no request in progress: it may be closed to make room.
    func markIdle(_ channel: any Channel) {
        idle.withLock { $0.insert(channel) }
    }

    /// The connection is serving a request (or closing): it is not closed to make room.
    func markBusy(_ channel: any Channel) {
        idle.withLock { $0.remove(channel) }
    }

    /// Counts a connection out once it closed.
    func closed(_ channel: any Channel) {
        markBusy(channel)
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
