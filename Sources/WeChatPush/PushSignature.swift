// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto

/// WeChat's push signatures: the lowercase hex SHA-1 of the parts sorted in byte order and concatenated.
///
/// - `signature` (URL verification `GET`, and every `POST`): parts (token, timestamp, nonce).
/// - `msg_signature` (safe and compatible modes): parts (token, timestamp, nonce, Encrypt).
///
/// Verification compares in constant time, so the time taken says nothing about how much of a forged signature
/// was right.
public enum PushSignature {
    /// SHA-1 over the sorted concatenation of `parts`, as 40 lowercase hex digits.
    public static func sign(_ parts: [String]) -> String {
        // Byte order (UTF-8), which is what WeChat's samples sort by for the ASCII values it sends.
        let sorted = parts.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let digest = Insecure.SHA1.hash(data: Array(sorted.joined().utf8))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The `signature` query parameter of a push or a URL verification.
    public static func urlSignature(token: String, timestamp: String, nonce: String) -> String {
        sign([token, timestamp, nonce])
    }

    /// The `msg_signature` of an encrypted push (or of an encrypted reply's `MsgSignature`).
    public static func messageSignature(token: String, timestamp: String, nonce: String, encrypted: String) -> String {
        sign([token, timestamp, nonce, encrypted])
    }

    /// Refuses unless `given` is `signature` for (token, timestamp, nonce). A missing signature is refused.
    public static func verifyURL(_ given: String?, token: String, timestamp: String, nonce: String)
        throws(PushRefusal)
    {
        try verify(given, expected: urlSignature(token: token, timestamp: timestamp, nonce: nonce))
    }

    /// Refuses unless `given` is `msg_signature` for (token, timestamp, nonce, Encrypt).
    public static func verifyMessage(
        _ given: String?, token: String, timestamp: String, nonce: String, encrypted: String
    ) throws(PushRefusal) {
        try verify(given, expected: messageSignature(token: token, timestamp: timestamp, nonce: nonce, encrypted: encrypted))
    }

    /// True when the two strings are byte-equal, looking at every byte whatever the first difference (the length,
    /// 40 hex digits for any real signature, is not a secret). Upper-case hex is accepted.
    public static func constantTimeEquals(_ given: String, _ expected: String) -> Bool {
        let lhs = Array(given.lowercased().utf8)
        let rhs = Array(expected.utf8)
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    private static func verify(_ given: String?, expected: String) throws(PushRefusal) {
        guard let given, constantTimeEquals(given, expected) else { throw .badSignature }
    }
}
