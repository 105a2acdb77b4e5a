// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The two independent token pools of the WeChat platform.
///
/// A classic fetch never touches a stable token and a stable fetch never touches a classic one.
public enum TokenPool: String, Sendable, Hashable, Codable, CaseIterable {
    /// Tokens from `GET /cgi-bin/token`.
    case classic
    /// Tokens from `POST /cgi-bin/stable_token`.
    case stable
}

/// A token as handed to a caller: its value and its remaining lifetime in whole seconds.
public struct IssuedToken: Sendable, Hashable {
    /// The access_token value (~136 characters of `[A-Za-z0-9_-]`).
    public var value: String
    /// Remaining lifetime in whole seconds, as reported in `expires_in`.
    public var expiresIn: Int

    /// Creates an issued token.
    public init(value: String, expiresIn: Int) {
        self.value = value
        self.expiresIn = expiresIn
    }
}

/// What a protected API learns about the `access_token` it was given.
public enum TokenCheck: Sendable, Hashable {
    /// Known and alive.
    case valid
    /// Known, died at its natural expiry: errcode 42001.
    case expired
    /// Never issued, invalidated, or superseded and past its overlap: errcode 40001.
    case invalid
}
