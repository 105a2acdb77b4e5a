// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation

/// The account's EncodingAESKey from the WeChat admin console: 43 Base64 characters that decode (with one `=`
/// appended) to the 32-byte AES-256 key of the push envelope. The IV is the key's first 16 bytes.
///
/// 43 characters carry 258 bits for a 256-bit key, so the last character has two bits left over. Keys WeChat
/// generates may set them (the published sample key `…ABCDEFG` does), which strict Base64 decoders refuse; those
/// two bits are cleared before decoding, as WeChat's own samples (which ignore them) do in effect.
///
/// Never printed: ``description`` is redacted.
public struct EncodingAESKey: Sendable, CustomStringConvertible {
    /// The AES-256 key.
    public let key: SymmetricKey
    /// The CBC initialisation vector: the key's first 16 bytes.
    public let iv: [UInt8]

    /// Refuses anything but 43 characters of the Base64 alphabet (`A-Z a-z 0-9 + /`).
    public init(_ text: String) throws(PushRefusal) {
        var characters = Array(text.utf8)
        guard characters.count == 43, let last = characters.last, let lastValue = Self.value(of: last),
            characters.allSatisfy({ Self.value(of: $0) != nil })
        else { throw .badKey }
        characters[42] = Self.alphabet[Int(lastValue & 0b11_1100)]
        guard let bytes = Data(base64Encoded: Data(characters + [UInt8(ascii: "=")])), bytes.count == 32 else {
            throw .badKey
        }
        self.key = SymmetricKey(data: bytes)
        self.iv = Array(bytes.prefix(16))
    }

    public var description: String { "EncodingAESKey(redacted)" }

    // MARK: - Base64 alphabet

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
