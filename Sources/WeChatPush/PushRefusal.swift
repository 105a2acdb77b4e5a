// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Why a push from WeChat (or a passive reply from the app) is refused. ``label`` is bounded, usable as a metric
/// label (`wxsidecar_inbound_refused_total{reason=…}`); ``message`` says what was wrong, without message content,
/// token or key.
///
/// A struct around a private code, so reasons can be added without breaking callers (as Hummingbird's errors do).
public struct PushRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case badSignature = "bad_signature"
        case badKey = "bad_key"
        case badBase64 = "bad_base64"
        case badCiphertext = "bad_ciphertext"
        case badPadding = "bad_padding"
        case badLength = "bad_length"
        case badAppID = "bad_appid"
        case badXML = "bad_xml"
        case doctype = "doctype"
        case tooLarge = "too_large"
        case tooDeep = "too_deep"
        case badReply = "bad_reply"
        case badJSON = "bad_json"
        case stale = "stale"
        case noKey = "no_key"
        case badRequest = "bad_request"
    }

    private let code: Code
    /// What was wrong, for a log line.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The bounded reason: `bad_signature`, `bad_key`, `bad_base64`, `bad_ciphertext`, `bad_padding`, `bad_length`,
    /// `bad_appid`, `bad_xml`, `doctype`, `too_large`, `too_deep`, `bad_reply`, `bad_json`, `stale`, `no_key` or
    /// `bad_request`.
    public var label: String { code.rawValue }

    public var description: String { "\(label): \(message)" }

    /// Two refusals are the same reason; the message is commentary.
    public static func == (lhs: PushRefusal, rhs: PushRefusal) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    // MARK: - Reasons

    /// `signature` or `msg_signature` missing or not SHA-1 of the sorted parts with the account's token.
    public static let badSignature = PushRefusal(.badSignature, "the signature does not match the token")
    /// The EncodingAESKey is not 43 Base64 characters.
    public static let badKey = PushRefusal(.badKey, "the EncodingAESKey must be 43 characters of Base64 (A-Z a-z 0-9)")
    /// The `Encrypt` field is not Base64.
    public static let badBase64 = PushRefusal(.badBase64, "the Encrypt field is not Base64")
    /// The ciphertext is empty or not a whole number of AES blocks.
    public static let badCiphertext = PushRefusal(.badCiphertext, "the ciphertext is not a whole number of AES blocks")
    /// The decrypted text does not end in WeChat's PKCS#7 padding (1...32 bytes of the pad length).
    public static let badPadding = PushRefusal(.badPadding, "the decrypted text does not end in a valid padding")
    /// The length inside the decrypted text points outside it.
    public static let badLength = PushRefusal(.badLength, "the message length inside the decrypted text is wrong")
    /// The appid at the end of the decrypted text is not the account's.
    public static let badAppID = PushRefusal(.badAppID, "the appid inside the message is not the account's")
    /// The body is not well-formed XML, or holds what WeChat never sends (mixed content, no root).
    public static func badXML(_ why: String) -> PushRefusal { PushRefusal(.badXML, why) }
    /// The body declares a DOCTYPE (and with it, possibly entities): refused before parsing.
    public static let doctype = PushRefusal(.doctype, "the XML declares a DOCTYPE or an entity")
    /// The body is over the size cap.
    public static func tooLarge(limit: Int) -> PushRefusal {
        PushRefusal(.tooLarge, "the body is over the \(limit)-byte limit")
    }
    /// Elements nested deeper than any WeChat message.
    public static func tooDeep(limit: Int) -> PushRefusal {
        PushRefusal(.tooDeep, "elements are nested deeper than \(limit) levels")
    }
    /// A JSON push (mini programs configured for JSON) that is not a JSON object.
    public static func badJSON(_ why: String) -> PushRefusal { PushRefusal(.badJSON, why) }
    /// The push's `timestamp` is missing, not a number, or outside the replay window.
    public static func stale(window: Int) -> PushRefusal {
        PushRefusal(.stale, "the timestamp is not within \(window) s of now (a replay, or a clock off)")
    }
    /// An encrypted push (`encrypt_type=aes`) for an account without an EncodingAESKey.
    public static let noKey = PushRefusal(.noKey, "the push is encrypted but the account has no message.encoding_aes_key")
    /// The request is not a push: a query parameter WeChat always sends is missing, or the method is wrong.
    public static func badRequest(_ why: String) -> PushRefusal { PushRefusal(.badRequest, why) }
    /// The app's JSON answer is not a passive reply WeChat accepts.
    public static func badReply(_ why: String) -> PushRefusal { PushRefusal(.badReply, why) }
}
