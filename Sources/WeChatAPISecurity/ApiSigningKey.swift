// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CryptoExtras
import Foundation

/// The app's private key (API 安全 → API 非对称密钥, RSAwithSHA256): signs every request. Read from PEM (PKCS#8
/// `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`). Never printed.
public struct ApiSigningKey: Sendable, CustomStringConvertible {
    public let privateKey: _RSA.Signing.PrivateKey
    /// The key's number (SN).
    public let sn: String

    public init(pem: String, sn: String) throws(ApiSecurityFailure) {
        guard pem.contains("PRIVATE KEY-----") else {
            throw .badKey("the private key must be a PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\" (the file the console's 下载私钥 gives)")
        }
        do {
            privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw .badKey("the private key PEM is not an RSA private key")
        }
        guard privateKey.keySizeInBits >= 2048 else { throw .badKey("the RSA private key must have at least 2048 bits") }
        guard ApiSerial.isValid(sn) else { throw .badKey(ApiSerial.rule) }
        self.sn = sn
    }

    /// RSA-PSS with SHA-256 (salt length 32, MGF1-SHA-256) over `text`, Base64.
    public func sign(_ text: String) -> String {
        do {
            return try privateKey.signature(for: Array(text.utf8), padding: .PSS).rawRepresentation.base64EncodedString()
        } catch {
            preconditionFailure("RSA-PSS signing failed with a valid key: \(error)")
        }
    }

    public var description: String { "ApiSigningKey(sn \(sn), redacted)" }
}
