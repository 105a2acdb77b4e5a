// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation

/// The API symmetric key from the console (API 安全 → API 对称密钥): 32 bytes for AES256_GCM, shown as Base64, with
/// its number (SN), which the authenticated data names. Never printed.
public struct ApiSymmetricKey: Sendable, CustomStringConvertible {
    public let key: SymmetricKey
    /// The key's number (密钥编号).
    public let sn: String

    public init(base64 text: String, sn: String) throws(ApiSecurityFailure) {
        guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
            throw .badKey("the symmetric key must be the Base64 of 32 bytes (AES256_GCM), as the console shows it")
        }
        guard ApiSerial.isValid(sn) else { throw .badKey(ApiSerial.rule) }
        self.key = SymmetricKey(data: bytes)
        self.sn = sn
    }

    public var description: String { "ApiSymmetricKey(sn \(sn), redacted)" }
}

/// Key and certificate numbers (SN): what the console shows, letters and digits (hex in practice).
public enum ApiSerial {
    public static let rule = "a key or certificate number (SN) is 1 to 128 letters and digits, as the console shows it"

    public static func isValid(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
    }
}
