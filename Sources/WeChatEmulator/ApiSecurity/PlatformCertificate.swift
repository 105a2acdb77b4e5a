// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The emulator's stand-in for WeChat's platform certificate: a self-signed RSA certificate, valid a year, in PEM,
/// for the key the emulator signs answers with (`wxsidecar dev` and the tests configure the sidecar with it).
public enum PlatformCertificate {
    public static func selfSigned(_ key: _RSA.Signing.PrivateKey, name: String = "WeChat platform (emulated)") throws -> String {
        let subject = try DistinguishedName { CommonName(name) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 86_400 * 365, issuer: subject, subject: subject,
            signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions(),
            issuerPrivateKey: Certificate.PrivateKey(key))
        return try certificate.serializeAsPEM().pemString
    }
}
