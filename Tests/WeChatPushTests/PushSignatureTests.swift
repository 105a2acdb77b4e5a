// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import TestSupport
import WeChatPush
import Testing

/// `signature` and `msg_signature` against WeChat's published sample values (``PushVectors``).
@Suite struct PushSignatureTests {
    typealias OA = PushVectors.OfficialAccount
    typealias WeCom = PushVectors.WeCom

    @Test func thePublishedMsgSignaturesAreReproduced() {
        #expect(
            PushSignature.messageSignature(token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce, encrypted: OA.encrypt)
                == OA.msgSignature)
        #expect(
            PushSignature.messageSignature(
                token: WeCom.token, timestamp: WeCom.timestamp, nonce: WeCom.nonce, encrypted: WeCom.encrypt)
                == WeCom.msgSignature)
    }

    @Test func theURLSignatureIsSHA1OfTheSortedTokenTimestampAndNonce() throws {
        #expect(PushSignature.urlSignature(token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce) == OA.urlSignature)
        try PushSignature.verifyURL(OA.urlSignature, token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce)
        try PushSignature.verifyURL(OA.urlSignature.uppercased(), token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce)
    }

    @Test func theOrderOfThePartsDoesNotMatter() {
        #expect(PushSignature.sign(["b", "a", "c"]) == PushSignature.sign(["c", "b", "a"]))
        // SHA-1("abc"), FIPS 180 test vector.
        #expect(PushSignature.sign(["c", "a", "b"]) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test(arguments: [
        nil, "", "16120ec1b8dbb870f510d87ce6bc2463eae6ca1b", "16120ec1b8dbb870f510d87ce6bc2463eae6ca1",
        "16120ec1b8dbb870f510d87ce6bc2463eae6ca1aa", "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    ] as [String?])
    func aWrongOrMissingURLSignatureIsRefused(_ given: String?) {
        #expect(throws: PushRefusal.badSignature) {
            try PushSignature.verifyURL(given, token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce)
        }
    }

    @Test(arguments: [
        ("token", "other", OA.timestamp, OA.nonce, OA.encrypt),
        ("timestamp", OA.token, "1409735670", OA.nonce, OA.encrypt),
        ("nonce", OA.token, OA.timestamp, "1320562133", OA.encrypt),
        ("Encrypt", OA.token, OA.timestamp, OA.nonce, String(OA.encrypt.dropLast(4)) + "AAA="),
    ])
    func aMsgSignatureOverAnyOtherPartIsRefused(_ changed: String, _ token: String, _ timestamp: String, _ nonce: String, _ encrypted: String) {
        #expect(throws: PushRefusal.badSignature, "changed \(changed)") {
            try PushSignature.verifyMessage(
                OA.msgSignature, token: token, timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        }
    }

    @Test func theRightMsgSignatureIsAccepted() throws {
        try PushSignature.verifyMessage(
            OA.msgSignature, token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce, encrypted: OA.encrypt)
    }

    @Test(arguments: [("abc", "abc", true), ("ABC", "abc", true), ("abd", "abc", false), ("ab", "abc", false), ("", "", true)])
    func constantTimeEqualityComparesEveryByte(_ given: String, _ expected: String, _ equal: Bool) {
        #expect(PushSignature.constantTimeEquals(given, expected) == equal)
    }
}
