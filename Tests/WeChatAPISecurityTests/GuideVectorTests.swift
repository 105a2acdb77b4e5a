// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CryptoExtras
import Foundation
import TestSupport
import Testing
import WeChatAPISecurity

/// The worked example of WeChat's server API signing and encryption guide (``ApiSecurityVectors``, with its
/// source), through this target's code: the request sealed to the guide's exact ciphertext, its signature string
/// and signature, the platform opening it, and the guide's signed, encrypted answer verified and opened.
@Suite struct GuideVectorTests {
    typealias V = ApiSecurityVectors

    static func caller() throws -> ApiCaller {
        ApiCaller(
            appid: V.appID, symmetricKey: try ApiSymmetricKey(base64: V.symmetricKey, sn: V.symmetricKeySN),
            signingKey: try ApiSigningKey(pem: V.privateKeyPEM, sn: V.privateKeySN),
            certificates: [try ApiPlatformCertificate(pem: V.platformCertificatePEM, sn: V.platformCertificateSN)])
    }

    static let original = #"{"appid":"wxba6223c06417af7b","openid":"oEWzBfmdLqhFS2mTXCo2E4Y9gJAM","scene":0,"client_ip":"127.0.0.1"}"#

    @Test func theRequestSealsToTheGuidesCiphertextAndItsSignatureVerifies() throws {
        let sealed = try Self.caller().seal(
            urlPath: V.urlPath, body: Array(Self.original.utf8), parameters: [], timestamp: Int64(V.Request.timestamp),
            nonce: V.Request.nonce, iv: Array(Data(base64Encoded: V.Request.iv)!))
        // The plaintext, the AAD and the IV are the guide's: so is the body, byte for byte.
        #expect(String(decoding: sealed.body, as: UTF8.self) == V.Request.body)
        let headers = Dictionary(sealed.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(headers["Wechatmp-Appid"] == V.appID)
        #expect(headers["Wechatmp-TimeStamp"] == String(V.Request.timestamp))
        // PSS is randomised: ours differs from the guide's, and both verify over the guide's string to sign.
        let publicKey = try _RSA.Signing.PublicKey(pemRepresentation: V.publicKeyPEM)
        for signature in [try #require(headers["Wechatmp-Signature"]), V.Request.signature] {
            let raw = try #require(Data(base64Encoded: signature))
            #expect(publicKey.isValidSignature(.init(rawRepresentation: raw), for: Array(V.Request.stringToSign.utf8), padding: .PSS))
        }
        #expect(ApiSigningString.make(urlPath: V.urlPath, appid: V.appID, timestamp: String(V.Request.timestamp), body: sealed.body)
            == V.Request.stringToSign)
    }

    @Test func theGuidesRequestDecryptsToItsPlaintext() throws {
        let key = try ApiSymmetricKey(base64: V.symmetricKey, sn: V.symmetricKeySN)
        let envelope = try ApiEnvelope.parse(Array(V.Request.body.utf8))
        #expect(ApiEnvelope.authenticatedData(urlPath: V.urlPath, appid: V.appID, timestamp: String(V.Request.timestamp), sn: V.symmetricKeySN) == V.Request.aad)
        #expect(String(decoding: try envelope.open(key: key, aad: V.Request.aad), as: UTF8.self) == V.Request.plaintext)
        // And WeChat's side (the emulator's) accepts the guide's request as sent.
        let platform = ApiPlatform(
            appid: V.appID, symmetricKey: key, appPublicKey: try _RSA.Signing.PublicKey(pemRepresentation: V.publicKeyPEM),
            platformKey: try ApiSigningKey(pem: V.privateKeyPEM, sn: V.platformCertificateSN))
        let headers = [
            ("Wechatmp-Appid", V.appID), ("Wechatmp-TimeStamp", String(V.Request.timestamp)),
            ("Wechatmp-Signature", V.Request.signature), ("Wechatmp-Serial", V.privateKeySN),
        ].map { (name: $0.0, value: $0.1) }
        let opened = try platform.openRequest(urlPath: V.urlPath, headers: headers, body: Array(V.Request.body.utf8), now: Int64(V.Request.timestamp))
        #expect(String(decoding: opened, as: UTF8.self) == V.Request.plaintext)
    }

    @Test func theGuidesAnswerVerifiesWithThePlatformCertificateAndOpens() throws {
        let headers = [
            ("Wechatmp-Appid", V.Response.appID), ("Wechatmp-TimeStamp", String(V.Response.timestamp)),
            ("Wechatmp-Serial", V.Response.serial), ("Wechatmp-Signature", V.Response.signature),
            ("Wechatmp-Serial-Deprecated", V.Response.serialDeprecated),
            ("Wechatmp-Signature-Deprecated", V.Response.signatureDeprecated),
        ].map { (name: $0.0, value: $0.1) }
        let plaintext = try Self.caller().open(
            urlPath: V.urlPath, headers: headers, body: Array(V.Response.body.utf8), now: Int64(V.Response.timestamp) + 1)
        #expect(String(decoding: plaintext, as: UTF8.self) == V.Response.plaintext)
        #expect(ApiSigningString.make(urlPath: V.urlPath, appid: V.appID, timestamp: String(V.Response.timestamp), body: Array(V.Response.body.utf8))
            == V.Response.stringToVerify)
    }

    @Test func theGuidesAnswerTamperedOrReplayedIsRefused() throws {
        let caller = try Self.caller()
        func headers(serial: String = V.Response.serial, signature: String = V.Response.signature) -> [(name: String, value: String)] {
            [("Wechatmp-Appid", V.appID), ("Wechatmp-TimeStamp", String(V.Response.timestamp)), ("Wechatmp-Serial", serial),
             ("Wechatmp-Signature", signature)].map { (name: $0.0, value: $0.1) }
        }
        let body = Array(V.Response.body.utf8)
        let now = Int64(V.Response.timestamp)
        var tampered = body
        tampered[tampered.count - 10] ^= 0x01
        let cases: [(String, () throws(ApiSecurityFailure) -> [UInt8], String)] = [
            ("a byte of the body changed", { () throws(ApiSecurityFailure) in try caller.open(urlPath: V.urlPath, headers: headers(), body: tampered, now: now) }, "bad_signature"),
            ("another URL", { () throws(ApiSecurityFailure) in try caller.open(urlPath: V.urlPath + "x", headers: headers(), body: body, now: now) }, "bad_signature"),
            ("an unknown serial", { () throws(ApiSecurityFailure) in try caller.open(urlPath: V.urlPath, headers: headers(serial: "0000"), body: body, now: now) }, "unknown_serial"),
            ("the deprecated signature under the current serial", { () throws(ApiSecurityFailure) in try caller.open(urlPath: V.urlPath, headers: headers(signature: V.Response.signatureDeprecated), body: body, now: now) }, "bad_signature"),
            ("no signature", { () throws(ApiSecurityFailure) in try caller.open(urlPath: V.urlPath, headers: Array(headers().prefix(3)), body: body, now: now) }, "unsigned"),
            ("replayed an hour later", { () throws(ApiSecurityFailure) in try caller.open(urlPath: V.urlPath, headers: headers(), body: body, now: now + 3600) }, "mismatch"),
        ]
        for (name, open, label) in cases {
            #expect(throws: ApiSecurityFailure.self, "\(name)") { try open() }
            do { _ = try open() } catch { #expect(error.label == label, "\(name): \(error)") }
        }
    }

    /// The guide's request under authenticated data naming another appid: AES-GCM refuses it.
    @Test func aWrongAuthenticatedDataFailsToOpen() throws {
        let key = try ApiSymmetricKey(base64: V.symmetricKey, sn: V.symmetricKeySN)
        let envelope = try ApiEnvelope.parse(Array(V.Request.body.utf8))
        #expect(throws: ApiSecurityFailure.badCiphertext) {
            try envelope.open(key: key, aad: V.Request.aad.replacingOccurrences(of: V.appID, with: "wx0000000000000000"))
        }
    }
}
