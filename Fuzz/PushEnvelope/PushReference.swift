// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import CryptoExtras
import Foundation
import WeChatPush

// Independent, deliberately naive re-statements of WeChat's push formats, for the `push_envelope` target to hold
// WeChatPush to. Nothing here is shared with Sources/WeChatPush: a bug there must not be copied here. AES itself
// and Base64 decoding are not under test; they come from the same libraries.

/// Tencent's sample official account (Tests/TestSupport/PushVectors.swift, `OfficialAccount`).
enum SampleAccount {
    static let encodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    static let appID = "wx2c2769f8efd9abc2"
    static let token = "spamtest"
    static let cipher = PushCipher(key: try! EncodingAESKey(encodingAESKey), appID: appID)
    /// The same key for another account (the sample's `FixedPrefix` appid): nothing of the first may open with it.
    static let otherAccount = PushCipher(key: cipher.key, appID: "wxb11529c136998cb6")
}

enum PushReference {
    // MARK: Envelope

    /// AES-256-CBC without padding under the sample key, or nil for no whole blocks.
    static func rawDecrypt(_ ciphertext: Data) -> [UInt8]? {
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else { return nil }
        let key = SampleAccount.cipher.key
        guard let iv = try? AES._CBC.IV(ivBytes: key.iv),
            let plaintext = try? AES._CBC.decrypt(ciphertext, using: key.key, iv: iv, noPadding: true)
        else { return nil }
        return Array(plaintext)
    }

    /// The Base64 of whole AES blocks of `plaintext` under the sample key, encrypted as they are (no padding added).
    static func rawEncrypt(_ plaintext: [UInt8]) -> String {
        guard !plaintext.isEmpty else { return "" }
        let key = SampleAccount.cipher.key
        let iv = try! AES._CBC.IV(ivBytes: key.iv)
        return try! AES._CBC.encrypt(plaintext, using: key.key, iv: iv, noPadding: true).base64EncodedString()
    }

    /// The message inside a decrypted envelope, read the long way: the last byte N in 1...32 and the N last bytes all
    /// N; before them the appid; before it, after 16 random bytes and a 4-byte big-endian length, exactly that many
    /// message bytes. Nil when any of it does not hold.
    static func open(_ plaintext: [UInt8], appID: String) -> [UInt8]? {
        guard let last = plaintext.last, last >= 1, last <= 32, plaintext.count >= Int(last) else { return nil }
        for byte in plaintext.suffix(Int(last)) where byte != last { return nil }
        let unpadded = Array(plaintext.prefix(plaintext.count - Int(last)))
        let appIDBytes = Array(appID.utf8)
        guard unpadded.count >= 20 + appIDBytes.count, Array(unpadded.suffix(appIDBytes.count)) == appIDBytes else {
            return nil
        }
        var length = 0
        for byte in unpadded[16..<20] { length = length * 256 + Int(byte) }
        let message = Array(unpadded[20..<(unpadded.count - appIDBytes.count)])
        return message.count == length ? message : nil
    }

    /// What `encrypt(message, random:)` must have encrypted: random, length, message, appid, then 1...32 bytes of the
    /// pad length up to a multiple of 32.
    static func sealed(_ message: [UInt8], random: [UInt8], appID: String) -> [UInt8] {
        let count = UInt32(message.count)
        var plaintext = random + [UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF),
            UInt8(count & 0xFF)] + message + Array(appID.utf8)
        let pad = 32 - plaintext.count % 32
        plaintext += Array(repeating: UInt8(pad), count: pad)
        return plaintext
    }

    // MARK: XML

    /// Whether `<!DOCTYPE` occurs outside comments, processing instructions and CDATA sections. In a well-formed
    /// document (`<` appears in no text and no attribute value) that is the only way it can occur.
    static func declaresDoctype(_ body: [UInt8]) -> Bool {
        var index = 0
        func at(_ text: String) -> Bool { body[index...].starts(with: Array(text.utf8)) }
        func skip(past terminator: String, from start: Int) -> Int {
            let pattern = Array(terminator.utf8)
            var position = start
            while position + pattern.count <= body.count {
                if Array(body[position..<(position + pattern.count)]) == pattern { return position + pattern.count }
                position += 1
            }
            return body.count
        }
        while index < body.count {
            if body[index] != UInt8(ascii: "<") {
                index += 1
            } else if at("<!--") {
                index = skip(past: "-->", from: index + 4)
            } else if at("<![CDATA[") {
                index = skip(past: "]]>", from: index + 9)
            } else if at("<?") {
                index = skip(past: "?>", from: index + 2)
            } else if at("<!DOCTYPE") {
                return true
            } else {
                index += 1
            }
        }
        return false
    }

    // MARK: JSON

    /// The keys of the top-level object of valid JSON text, in order, each decoded by JSONSerialization; nil when
    /// the text is not an object or a key does not decode.
    static func topLevelKeys(_ json: [UInt8]) -> [[UInt8]]? {
        guard json.first == UInt8(ascii: "{") else { return nil }
        var keys: [[UInt8]] = []
        var depth = 0
        var expectingKey = false
        var index = 0
        while index < json.count {
            let byte = json[index]
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while end < json.count, json[end] != UInt8(ascii: "\"") {
                    end += json[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard end < json.count else { return nil }
                if depth == 1, expectingKey {
                    let literal = Data(json[index...end])
                    guard let key = try? JSONSerialization.jsonObject(with: literal, options: .fragmentsAllowed) as? String
                    else { return nil }
                    keys.append(Array(key.utf8))
                    expectingKey = false
                }
                index = end + 1
                continue
            }
            switch byte {
            case UInt8(ascii: "{"):
                depth += 1
                if depth == 1 { expectingKey = true }
            case UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 1 { expectingKey = true }
            default:
                break
            }
            index += 1
        }
        return keys
    }
}
