// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import CryptoExtras
import Foundation

/// The encrypted envelope of WeChat's message push in safe and compatible modes (WeChat's `WXBizMsgCrypt`):
/// `Encrypt` = Base64(AES-256-CBC(key, iv = key[0..<16], pad32(random16 + length32BE + message + appid))).
///
/// Verify `msg_signature` (``PushSignature``) before decrypting: the signature covers `Encrypt`, so nothing
/// unsigned reaches the decryption, and the refusals here cannot serve as a padding oracle.
public struct PushCipher: Sendable {
    /// The account's key.
    public let key: EncodingAESKey
    /// The account's appid, expected at the end of every decrypted message and appended to every encrypted one.
    public let appID: String

    public init(key: EncodingAESKey, appID: String) {
        self.key = key
        self.appID = appID
    }

    // MARK: - Decrypt

    /// The message inside the Base64 `Encrypt` field, once its appid is checked to be ``appID``.
    public func decrypt(_ encrypted: String) throws(PushRefusal) -> [UInt8] {
        guard let ciphertext = Data(base64Encoded: encrypted) else { throw .badBase64 }
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else { throw .badCiphertext }
        let plaintext: Data
        do {
            plaintext = try AES._CBC.decrypt(ciphertext, using: key.key, iv: iv(), noPadding: true)
        } catch {
            throw .badCiphertext
        }
        let body = Array(try PushPadding.unpad(Array(plaintext)))
        guard body.count >= 20 else { throw .badLength }
        let length = body[16..<20].reduce(0) { ($0 << 8) | Int($1) }
        guard length <= body.count - 20 else { throw .badLength }
        let message = body[20..<(20 + length)]
        let appIDInside = body[(20 + length)...]
        guard appIDInside.elementsEqual(appID.utf8) else { throw .badAppID }
        return Array(message)
    }

    // MARK: - Encrypt

    /// The Base64 `Encrypt` field for `message`, with 16 fresh random bytes in front.
    public func encrypt(_ message: [UInt8]) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return encrypt(message, random: random)
    }

    /// The Base64 `Encrypt` field for `message` with the given 16-byte prefix (fixed in tests, to compare with
    /// published ciphertexts).
    public func encrypt(_ message: [UInt8], random: [UInt8]) -> String {
        precondition(random.count == 16, "WeChat's envelope starts with exactly 16 random bytes")
        let length = UInt32(message.count)
        let lengthBytes: [UInt8] = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) }
        let padded = PushPadding.pad(random + lengthBytes + message + Array(appID.utf8))
        do {
            let ciphertext = try AES._CBC.encrypt(padded, using: key.key, iv: iv(), noPadding: true)
            return ciphertext.base64EncodedString()
        } catch {
            // A 32-byte key, a 16-byte IV and whole blocks: AES-CBC cannot fail on these.
            preconditionFailure("AES-CBC refused a whole-block plaintext: \(error)")
        }
    }

    private func iv() throws -> AES._CBC.IV {
        try AES._CBC.IV(ivBytes: key.iv)
    }
}
