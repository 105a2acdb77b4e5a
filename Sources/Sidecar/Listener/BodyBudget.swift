// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// The request-body bytes all connections may hold at once. Each call reserves its body as it arrives and
/// releases it when the call ends, so many uploads stalled just under `limits.max_body_bytes` cannot exhaust
/// memory: past the budget a call is answered 503 and its connection closed.
final class BodyBudget: Sendable {
    /// The budget in bytes.
    let limit: Int
    private let held = Atomic<Int>(0)

    /// The budget for `maxBodyBytes` per call: room for 4 maximal bodies, and at least 64 MiB.
    convenience init(maxBodyBytes: Int) {
        self.init(limit: max(64 << 20, 4 * maxBodyBytes))
    }

    init(limit: Int) {
        self.limit = limit
    }

    /// Reserves `bytes`; `false` (nothing reserved) when that would pass the budget.
    func reserve(_ bytes: Int) -> Bool {
        let total = held.add(bytes, ordering: .relaxed).newValue
        guard total > limit else { return true }
        held.subtract(bytes, ordering: .relaxed)
        return false
    }

    /// Gives back `bytes` reserved earlier.
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        held.subtract(bytes, ordering: .relaxed)
    }

    /// Bytes held now.
    var current: Int { held.load(ordering: .relaxed) }
}
