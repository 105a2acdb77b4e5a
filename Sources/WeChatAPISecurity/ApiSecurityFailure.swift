// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Why a signed and encrypted API exchange failed. ``label`` is bounded (a metric label); ``message`` says what was
/// wrong without any key, token or payload.
public struct ApiSecurityFailure: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case badKey = "bad_key"
        case badRequestBody = "bad_request_body"
        case unsigned = "unsigned"
        case unknownSerial = "unknown_serial"
        case badSignature = "bad_signature"
        case badEnvelope = "bad_envelope"
        case badCiphertext = "bad_ciphertext"
        case mismatch = "mismatch"
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `bad_key`, `bad_request_body`, `unsigned`, `unknown_serial`, `bad_signature`, `bad_envelope`,
    /// `bad_ciphertext` or `mismatch`.
    public var label: String { code.rawValue }
    public var description: String { "\(label): \(message)" }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// A key, certificate or key number that cannot be used (what and why, never the key).
    public static func badKey(_ why: String) -> Self { Self(.badKey, why) }
    /// The caller's body is not a JSON object (the encrypted plaintext must be one).
    public static func badRequestBody(_ why: String) -> Self { Self(.badRequestBody, why) }
    /// The answer has no `Wechatmp-Signature` / `Wechatmp-Serial` / `Wechatmp-TimeStamp`.
    public static func unsigned(_ why: String) -> Self { Self(.unsigned, why) }
    /// The answer's `Wechatmp-Serial` (and its deprecated pair) names no configured platform certificate.
    public static func unknownSerial(_ serial: String) -> Self {
        Self(.unknownSerial, "no platform certificate numbered \(serial.prefix(64)) is configured")
    }
    /// The signature does not verify with the certificate its serial names.
    public static let badSignature = Self(.badSignature, "the signature does not verify with the platform certificate")
    /// The body is not `{"iv","data","authtag"}` of Base64.
    public static func badEnvelope(_ why: String) -> Self { Self(.badEnvelope, why) }
    /// AES-GCM refused the ciphertext (wrong key, tampered data, wrong authenticated data).
    public static let badCiphertext = Self(.badCiphertext, "AES-GCM authentication failed")
    /// The decrypted `_appid` or `_timestamp` is not the one signed.
    public static func mismatch(_ why: String) -> Self { Self(.mismatch, why) }
}
