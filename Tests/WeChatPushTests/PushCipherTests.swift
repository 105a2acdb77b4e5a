// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import CryptoExtras
import Foundation
import TestSupport
import WeChatPush
import Testing

/// The envelope against WeChat's published examples (``PushVectors``), then every way a forged or broken
/// envelope is refused.
@Suite struct PushCipherTests {
    typealias OA = PushVectors.OfficialAccount
    typealias Fixed = PushVectors.FixedPrefix
    typealias WeCom = PushVectors.WeCom

    static func cipher(_ key: String, _ appID: String) throws -> PushCipher {
        PushCipher(key: try EncodingAESKey(key), appID: appID)
    }

    // MARK: - Published examples

    @Test func thePublishedOfficialAccountMessageDecrypts() throws {
        let message = try Self.cipher(OA.encodingAESKey, OA.appID).decrypt(OA.encrypt)
        #expect(String(decoding: message, as: UTF8.self) == OA.message)
    }

    @Test func thePublishedOfficialAccountMessageReEncryptsToTheSameBytes() throws {
        let cipher = try Self.cipher(OA.encodingAESKey, OA.appID)
        #expect(cipher.encrypt(Array(OA.message.utf8), random: OA.random) == OA.encrypt)
    }

    @Test(arguments: [(Fixed.message, Fixed.encrypt), (Fixed.message2, Fixed.encrypt2)])
    func thePublishedFixedPrefixEncryptionsAreReproduced(_ message: String, _ encrypted: String) throws {
        let cipher = try Self.cipher(Fixed.encodingAESKey, Fixed.appID)
        #expect(cipher.encrypt(Array(message.utf8), random: Fixed.random) == encrypted)
        #expect(try cipher.decrypt(encrypted) == Array(message.utf8))
    }

    @Test func theWeComSampleDecryptsWithItsKeyOfNonZeroLeftOverBits() throws {
        let cipher = try Self.cipher(WeCom.encodingAESKey, WeCom.appID)
        #expect(String(decoding: try cipher.decrypt(WeCom.encrypt), as: UTF8.self) == WeCom.message)
        #expect(cipher.encrypt(Array(WeCom.message.utf8), random: WeCom.random) == WeCom.encrypt)
    }

    @Test(arguments: [0, 1, 11, 12, 13, 31, 32, 33, 1000])
    func anyMessageRoundTrips(_ length: Int) throws {
        let cipher = try Self.cipher(OA.encodingAESKey, OA.appID)
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let encrypted = cipher.encrypt(message)
        #expect(Data(base64Encoded: encrypted)!.count % 32 == 0)
        #expect(try cipher.decrypt(encrypted) == message)
    }

    @Test func twoEncryptionsOfOneMessageDiffer() throws {
        let cipher = try Self.cipher(OA.encodingAESKey, OA.appID)
        #expect(cipher.encrypt(Array("hello".utf8)) != cipher.encrypt(Array("hello".utf8)))
    }

    // MARK: - Refusals

    @Test func aMessageForAnotherAppIDIsRefused() throws {
        #expect(throws: PushRefusal.badAppID) { try Self.cipher(OA.encodingAESKey, "wx0000000000000000").decrypt(OA.encrypt) }
        #expect(throws: PushRefusal.badAppID) { try Self.cipher(OA.encodingAESKey, "wx2c2769f8efd9abc").decrypt(OA.encrypt) }
    }

    @Test func aMessageUnderAnotherKeyIsRefused() throws {
        // Decrypts to noise: its padding, length or appid cannot all come out right.
        #expect(throws: PushRefusal.self) { try Self.cipher(WeCom.encodingAESKey, OA.appID).decrypt(OA.encrypt) }
    }

    @Test(arguments: [
        "", "not base64!", "hyzAe4Oz mOMb", String(OA.encrypt.dropLast(1)), OA.encrypt + "\n", "====",
    ])
    func garbageOrTruncatedBase64IsRefused(_ encrypted: String) throws {
        let cipher = try Self.cipher(OA.encodingAESKey, OA.appID)
        #expect(throws: PushRefusal.self) { try cipher.decrypt(encrypted) }
        #expect((try? cipher.decrypt(encrypted)) == nil)
    }

    @Test(arguments: [1, 15, 17, 31])
    func aCiphertextThatIsNotWholeBlocksIsRefused(_ count: Int) throws {
        let cipher = try Self.cipher(OA.encodingAESKey, OA.appID)
        let encrypted = Data(repeating: 7, count: count).base64EncodedString()
        #expect(throws: PushRefusal.badCiphertext) { try cipher.decrypt(encrypted) }
    }

    @Test func aCiphertextCutToWholeBlocksIsRefusedByItsPadding() throws {
        let cipher = try Self.cipher(OA.encodingAESKey, OA.appID)
        let cut = Data(base64Encoded: OA.encrypt)!.dropLast(32).base64EncodedString()
        #expect(throws: PushRefusal.self) { try cipher.decrypt(cut) }
    }

    /// Plaintexts built by hand and encrypted without padding, so the bytes after AES are exactly these.
    @Test(arguments: [
        ("last byte 0", Self.frame(appID: OA.appID, padWith: 0)),
        ("last byte 33", Self.frame(appID: OA.appID, padWith: 33)),
        ("pad bytes disagree", Self.frame(appID: OA.appID, padWith: 4, tamper: true)),
    ])
    func badPaddingIsRefused(_ case: String, _ plaintext: [UInt8]) throws {
        #expect(throws: PushRefusal.badPadding, "\(`case`)") {
            try Self.cipher(OA.encodingAESKey, OA.appID).decrypt(try Self.seal(plaintext))
        }
    }

    @Test(arguments: [UInt32(1_000), UInt32.max, UInt32(40)])
    func aLengthPointingPastTheTextIsRefused(_ length: UInt32) throws {
        var body = [UInt8](repeating: 0x61, count: 16) + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) }
        body += Array("hi".utf8) + Array(OA.appID.utf8)
        #expect(throws: PushRefusal.badLength) {
            try Self.cipher(OA.encodingAESKey, OA.appID).decrypt(try Self.seal(PushPadding.pad(body)))
        }
    }

    @Test func aTextShorterThanItsHeaderIsRefused() throws {
        #expect(throws: PushRefusal.badLength) {
            try Self.cipher(OA.encodingAESKey, OA.appID).decrypt(try Self.seal(PushPadding.pad([1, 2, 3])))
        }
    }

    // MARK: - Helpers

    /// 16 random bytes + length + "hi" + appid, to a multiple of 32 ending in `padWith`.
    static func frame(appID: String, padWith pad: UInt8, tamper: Bool = false) -> [UInt8] {
        var body = [UInt8](repeating: 0x61, count: 16) + [0, 0, 0, 2] + Array("hi".utf8) + Array(appID.utf8)
        while (body.count + 1) % 32 != 0 { body.append(pad) }
        body.append(pad)
        if tamper { body[body.count - 2] ^= 0xFF }
        return body
    }

    static func seal(_ plaintext: [UInt8]) throws -> String {
        let key = try EncodingAESKey(OA.encodingAESKey)
        let iv = try AES._CBC.IV(ivBytes: key.iv)
        return try AES._CBC.encrypt(plaintext, using: key.key, iv: iv, noPadding: true).base64EncodedString()
    }
}
