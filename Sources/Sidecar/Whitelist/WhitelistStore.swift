// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization
import SidecarCore

/// The whitelist in force, swapped whole by ``WhitelistWatcher`` and read by every request: a request
/// uses the whitelist it read at its start, so a reload never disturbs requests in flight.
public final class WhitelistStore: Sendable {
    /// The whitelist, when it was loaded (wall-clock seconds) and from which file.
    public struct Loaded: Sendable {
        public var paths: PathWhitelist
        public var loadedAt: Double
        public var file: String
    }

    private let loaded: Mutex<Loaded>

    public init(_ initial: Loaded) {
        loaded = Mutex(initial)
    }

    /// The whitelist in force now.
    public var paths: PathWhitelist { loaded.withLock { $0.paths } }

    /// The whitelist with its load time.
    public var current: Loaded { loaded.withLock { $0 } }

    func replace(with new: Loaded) {
        loaded.withLock { $0 = new }
    }
}
