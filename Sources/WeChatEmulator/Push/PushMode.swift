// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The message encryption mode chosen in the account's console. The raw value is the command line's name.
public enum PushMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The body as is; the query carries `signature`, `timestamp`, `nonce` and `openid`.
    case plaintext
    /// The plaintext fields plus an `Encrypt` field; the query adds `encrypt_type=aes` and `msg_signature`.
    case compatible
    /// Only `ToUserName` and `Encrypt`; the query as in compatible mode.
    case safe

    /// Whether the body carries an `Encrypt` field (and so needs the EncodingAESKey).
    public var encrypts: Bool { self != .plaintext }

    public var description: String { rawValue }
}

/// The data format chosen in the account's console: XML (official accounts, and mini programs by default) or JSON
/// (mini programs only). The raw value is the command line's name.
public enum PushFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    case xml
    case json

    /// The `Content-Type` WeChat sends the body with.
    public var contentType: String {
        switch self {
        case .xml: "text/xml"
        case .json: "application/json"
        }
    }

    public var description: String { rawValue }
}
