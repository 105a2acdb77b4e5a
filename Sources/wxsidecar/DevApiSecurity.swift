// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CryptoExtras
import Foundation
import WeChatAPISecurity
import WeChatEmulator

/// The API-security material `wxsidecar dev` makes for the mini program, as the console would give it: a fresh
/// symmetric key, the app's RSA key pair, and the emulator's platform key with its self-signed certificate.
struct DevApiSecurity {
    static let symmetricSN = "fa05fe1e5bcc79b81ad5ad4b58acf787"
    static let appKeySN = "97845f6ed842ea860df6fdf65941ff56"
    static let platformSN = "79ba700ea147819f640941bceb38b1d1"
    /// The dev paths WeChat (the emulator) requires signed.
    static let requiredPaths: Set<String> = ["/wxa/getuserriskrank"]

    let appid: String
    let symmetricKey: String
    let appKey: _RSA.Signing.PrivateKey
    let platformKey: _RSA.Signing.PrivateKey
    let platformCertificatePEM: String

    init(appid: String) throws {
        self.appid = appid
        var generator = SystemRandomNumberGenerator()
        symmetricKey = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
        appKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        platformKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        platformCertificatePEM = try PlatformCertificate.selfSigned(platformKey)
    }

    var appPrivateKeyPEM: String { appKey.pemRepresentation }

    /// The emulator's side of it.
    func emulator() throws -> EmulatorApiSecurity {
        EmulatorApiSecurity(
            platform: ApiPlatform(
                appid: appid, symmetricKey: try ApiSymmetricKey(base64: symmetricKey, sn: Self.symmetricSN),
                appPublicKey: appKey.publicKey,
                platformKey: try ApiSigningKey(pem: platformKey.pemRepresentation, sn: Self.platformSN)),
            requiredPaths: Self.requiredPaths)
    }
}
