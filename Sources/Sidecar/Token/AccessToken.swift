// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// A token the sidecar holds: its value, when it was fetched and when it dies (wall-clock seconds since 1970).
public struct AccessToken: Sendable, Equatable {
    /// The token itself. Never logged: use ``fingerprint``.
    public var value: String
    /// When WeChat answered.
    public var fetchedAt: Double
    /// `fetchedAt + expires_in`.
    public var expiresAt: Double
    /// ``TokenFingerprint`` of the value.
    public let fingerprint: String

    public init(value: String, fetchedAt: Double, expiresIn: Int) {
        self.value = value
        self.fetchedAt = fetchedAt
        self.expiresAt = fetchedAt + Double(expiresIn)
        self.fingerprint = TokenFingerprint.of(value)
    }

    /// Seconds of life left at `now` (negative once expired).
    public func remaining(at now: Double) -> Double { expiresAt - now }

    /// Whether the token can still be used at `now`.
    public func isValid(at now: Double) -> Bool { expiresAt > now }
}
