// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// A JS-SDK ticket WeChat issued (`jsapi_ticket` or the card `api_ticket`): a credential of the account's web
/// pages, kept by the sidecar like the token. Never logged: use ``fingerprint``.
public struct JSTicket: Sendable, Equatable {
    public var kind: SidecarConfiguration.TicketKind
    public var value: String
    public var fetchedAt: Double
    /// `fetchedAt + expires_in`.
    public var expiresAt: Double

    public init(kind: SidecarConfiguration.TicketKind, value: String, fetchedAt: Double, expiresIn: Int) {
        self.kind = kind
        self.value = value
        self.fetchedAt = fetchedAt
        self.expiresAt = fetchedAt + Double(expiresIn)
    }

    /// Seconds of life left at `now` (negative once expired).
    public func remaining(at now: Double) -> Double { expiresAt - now }

    public func isValid(at now: Double) -> Bool { expiresAt > now }

    /// A short, stable, non-reversible name for logs and status.
    public var fingerprint: String { TokenFingerprint.of(value) }
}
