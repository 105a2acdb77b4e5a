// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// One account's tickets as the keeper last left them: read by the proxy (a `getticket` answered from here), the
/// JS-SDK signature endpoint and `/-/status`.
public final class TicketState: Sendable {
    /// One ticket kind's state.
    public struct Snapshot: Sendable {
        /// The last good ticket; it may have expired (see ``TicketState/valid(_:at:)``).
        public var ticket: JSTicket?
        public var lastResult = "none"
        /// The last failure (never a secret, token or ticket), cleared by a success.
        public var lastError: String?
        public var consecutiveFailures = 0
    }

    private let snapshots = Mutex<[SidecarConfiguration.TicketKind: Snapshot]>([:])
    /// The kinds this account keeps.
    public let kinds: [SidecarConfiguration.TicketKind]

    public init(kinds: [SidecarConfiguration.TicketKind]) {
        self.kinds = kinds
        snapshots.withLock { all in for kind in kinds { all[kind] = Snapshot() } }
    }

    /// Whether the account keeps this kind.
    public func keeps(_ kind: SidecarConfiguration.TicketKind) -> Bool { kinds.contains(kind) }

    public func snapshot(_ kind: SidecarConfiguration.TicketKind) -> Snapshot {
        snapshots.withLock { $0[kind] ?? Snapshot() }
    }

    /// The held ticket of `kind` if it has not expired at `now`.
    public func valid(_ kind: SidecarConfiguration.TicketKind, at now: Double = WallClock.now()) -> JSTicket? {
        snapshots.withLock { all in
            guard let ticket = all[kind]?.ticket, ticket.isValid(at: now) else { return nil }
            return ticket
        }
    }

    func update(_ kind: SidecarConfiguration.TicketKind, _ change: (inout Snapshot) -> Void) {
        snapshots.withLock { all in
            var snapshot = all[kind] ?? Snapshot()
            change(&snapshot)
            all[kind] = snapshot
        }
    }
}
