// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CryptoExtras
import Foundation
import SwiftASN1
import X509

/// WeChat's platform certificate (API 安全 → 开放平台证书) and its number (SN): verifies the signature on every
/// answer. Read from the PEM certificate the console gives (or a PEM public key).
public struct ApiPlatformCertificate: Sendable {
    public let publicKey: _RSA.Signing.PublicKey
    /// The certificate's number: the answer's `Wechatmp-Serial` names it.
    public let sn: String

    public init(pem: String, sn: String) throws(ApiSecurityFailure) {
        guard ApiSerial.isValid(sn) else { throw .badKey(ApiSerial.rule) }
        self.sn = sn
        if pem.contains("BEGIN CERTIFICATE") {
            let certificate: Certificate
            do {
                certificate = try Certificate(pemEncoded: pem)
            } catch {
                throw .badKey("the platform certificate PEM is not an X.509 certificate")
            }
            guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
                throw .badKey("the platform certificate does not hold an RSA public key (SM2 is not supported)")
            }
            publicKey = key
        } else if pem.contains("BEGIN PUBLIC KEY") || pem.contains("BEGIN RSA PUBLIC KEY") {
            do {
                publicKey = try _RSA.Signing.PublicKey(pemRepresentation: pem)
            } catch {
                throw .badKey("the platform public key PEM is not an RSA public key")
            }
        } else {
            throw .badKey("the platform certificate must be a PEM CERTIFICATE (or PUBLIC KEY), the .cer the console gives")
        }
    }

    /// Whether `signature` (Base64) is RSA-PSS with SHA-256 over `text` by this certificate's key.
    public func verifies(_ signature: String, over text: String) -> Bool {
        guard let raw = Data(base64Encoded: signature) else { return false }
        return publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: raw), for: Array(text.utf8), padding: .PSS)
    }
}
