// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import WeChatPush
import Testing

@Suite struct EncodingAESKeyTests {
    /// The 32 bytes of the official sample key, decoded by Python's `base64.b64decode(key + "=")`.
    @Test func theSampleKeyDecodesToThe32BytesPythonGives() throws {
        let key = try EncodingAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
        let hex = key.key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
        #expect(hex == "69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051")
        #expect(key.iv == Array(key.key.withUnsafeBytes { Array($0) }.prefix(16)))
    }

    /// The last character's two left-over bits do not matter (`G` = 000110, `E` = 000100).
    @Test func theLeftOverBitsOfTheLastCharacterAreIgnored() throws {
        let withBits = try EncodingAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
        let without = try EncodingAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFE")
        #expect(withBits.key == without.key)
    }

    @Test(arguments: [
        "", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDE=", "abcdefghijklmnopqrstuvwxyz0123456789ABCD-F",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCD FG", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFé",
    ])
    func aKeyThatIsNot43Base64CharactersIsRefused(_ text: String) {
        #expect(throws: PushRefusal.badKey) { try EncodingAESKey(text) }
    }

    @Test func theKeyIsNeverPrinted() throws {
        let key = try EncodingAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
        #expect(!"\(key)".contains("abcdef"))
    }
}
