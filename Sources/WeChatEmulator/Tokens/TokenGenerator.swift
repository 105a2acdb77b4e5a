// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Makes random values shaped like real tokens and tickets: `length` characters of `[A-Za-z0-9_-]`.
struct TokenGenerator: Sendable {
    /// The length of an access_token.
    static let tokenLength = 136

    /// The length of each value made.
    let length: Int

    /// A generator of `length`-character values (an access_token's length by default).
    init(length: Int = Self.tokenLength) {
        self.length = length
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)

    /// A new random value.
    func next() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<length).map { _ in Self.alphabet[Int(generator.next() % UInt64(Self.alphabet.count))] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A short, non-reversible fingerprint of a token or ticket for logs: never log a full one.
    static func fingerprint(_ token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
