// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import CryptoExtras
import Foundation
import WeChatAPISecurity
public import WeChatEmulator

/// Fresh API-security material for one account, as the console would give it: the symmetric key and its
/// number, the app's RSA key pair and its number, WeChat's platform certificate (a self-signed RSA certificate
/// made here) and its number, and optionally a second, newer platform certificate for a rotation.
public struct ApiSecurityKeys: Sendable {
    public let appid: String
    public let symmetricKeyBase64: String
    public let symmetricSN: String
    public let appPrivateKeyPEM: String
    public let appKeySN: String
    public let platformKey: _RSA.Signing.PrivateKey
    public let platformCertificatePEM: String
    public let platformSN: String
    /// A newer platform certificate (the rotation's): signs as `Wechatmp-Serial` while the first signs the
    /// `-Deprecated` pair.
    public let newerKey: _RSA.Signing.PrivateKey
    public let newerCertificatePEM: String
    public let newerSN: String

    public init(appid: String) throws {
        self.appid = appid
        var generator = SystemRandomNumberGenerator()
        symmetricKeyBase64 = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
        symmetricSN = "fa05fe1e5bcc79b81ad5ad4b58acf787"
        let appKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        appPrivateKeyPEM = appKey.pemRepresentation
        appKeySN = "97845f6ed842ea860df6fdf65941ff56"
        platformKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        platformSN = "5a7bf6f1b5d1f0ab3e2c0c7d1f5f1c2a"
        platformCertificatePEM = try PlatformCertificate.selfSigned(platformKey)
        newerKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        newerSN = "6b8c07f2c6e2f1bc4f3d1d8e2f6f2d3b"
        newerCertificatePEM = try PlatformCertificate.selfSigned(newerKey, name: "WeChat platform, newer (emulated)")
    }

    /// The emulator's side: `rotating` signs with the newer certificate and the first as the deprecated pair.
    public func emulator(requiredPaths: Set<String>, rotating: Bool = false) throws -> EmulatorApiSecurity {
        let symmetric = try ApiSymmetricKey(base64: symmetricKeyBase64, sn: symmetricSN)
        let appPublic = try _RSA.Signing.PrivateKey(pemRepresentation: appPrivateKeyPEM).publicKey
        let first = try ApiSigningKey(pem: platformKey.pemRepresentation, sn: platformSN)
        let newer = try ApiSigningKey(pem: newerKey.pemRepresentation, sn: newerSN)
        return EmulatorApiSecurity(
            platform: ApiPlatform(
                appid: appid, symmetricKey: symmetric, appPublicKey: appPublic, platformKey: rotating ? newer : first,
                deprecatedKey: rotating ? first : nil),
            requiredPaths: requiredPaths)
    }

    /// Writes the private key and the certificates into `directory`; returns the account's `api_security:` lines
    /// (two spaces in) naming them, with the certificates given (by default the first). The symmetric key goes
    /// in the environment (``environment``).
    public func yaml(
        in directory: TemporaryDirectory, certificates: [(sn: String, pem: String)]? = nil, paths: [String]? = nil
    ) throws -> String {
        let keyFile = try directory.write(appPrivateKeyPEM, to: "api-private-key.pem")
        var lines = [
            "api_security:", "  symmetric_sn: \(symmetricSN)", "  private_key_file: \"\(keyFile)\"",
            "  private_key_sn: \(appKeySN)", "  certificate_files:",
        ]
        for (index, certificate) in (certificates ?? [(platformSN, platformCertificatePEM)]).enumerated() {
            let file = try directory.write(certificate.pem, to: "platform-\(index).cer")
            lines.append("    \(certificate.sn): \"\(file)\"")
        }
        if let paths { lines.append("  paths: [\(paths.joined(separator: ", "))]") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The environment carrying the symmetric key (single-account form).
    public var environment: [String: String] { ["WXSIDECAR_API_SECURITY_SYMMETRIC_KEY": symmetricKeyBase64] }
}
