// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// A short, stable fingerprint of a token for logs, status and metadata: the first 12 hex digits of its
/// 64-bit FNV-1a hash. It tells two tokens apart; it does not reveal a usable part of either.
public enum TokenFingerprint {
    /// `fp:3f9a0c1b77e2`.
    public static func of(_ token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        return "fp:" + padded.prefix(12)
    }
}
