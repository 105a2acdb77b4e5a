// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CryptoExtras
import Foundation
import TestSupport
import Testing
import WeChatAPISecurity

/// WeChat's side as the emulator plays it, on the guide's request: each missing or wrong header, a stale
/// timestamp, a bad signature and a tampered body refused with the guide's error code.
@Suite struct ApiPlatformTests {
    typealias V = ApiSecurityVectors

    static func platform() throws -> ApiPlatform {
        ApiPlatform(
            appid: V.appID, symmetricKey: try ApiSymmetricKey(base64: V.symmetricKey, sn: V.symmetricKeySN),
            appPublicKey: try _RSA.Signing.PublicKey(pemRepresentation: V.publicKeyPEM),
            platformKey: try ApiSigningKey(pem: V.privateKeyPEM, sn: V.platformCertificateSN))
    }

    static let headers: [String: String] = [
        "Wechatmp-Appid": V.appID, "Wechatmp-TimeStamp": String(V.Request.timestamp),
        "Wechatmp-Signature": V.Request.signature, "Wechatmp-Serial": V.privateKeySN,
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var headers: [String: String] = ApiPlatformTests.headers
        var body: String = V.Request.body
        var now: Int64 = Int64(V.Request.timestamp)
        var errcode: Int
        var testDescription: String { name }
    }

    static func without(_ name: String) -> [String: String] { headers.filter { $0.key != name } }
    static func with(_ name: String, _ value: String) -> [String: String] { headers.merging([name: value]) { $1 } }

    static let cases: [Case] = [
        Case(name: "no Wechatmp-Serial", headers: without("Wechatmp-Serial"), errcode: 40230),
        Case(name: "no Wechatmp-TimeStamp", headers: without("Wechatmp-TimeStamp"), errcode: 40231),
        Case(name: "no Wechatmp-Signature", headers: without("Wechatmp-Signature"), errcode: 40232),
        Case(name: "no Wechatmp-Appid", headers: without("Wechatmp-Appid"), errcode: 40233),
        Case(name: "another Wechatmp-Appid", headers: with("Wechatmp-Appid", "wx0000000000000000"), errcode: 40236),
        Case(name: "six minutes late", now: Int64(V.Request.timestamp) + 360, errcode: 40240),
        Case(name: "a signature over another timestamp", headers: with("Wechatmp-TimeStamp", String(V.Request.timestamp + 1)), errcode: 40234),
        Case(name: "a body changed after signing", body: V.Request.body.replacingOccurrences(of: "5qeM", with: "5qeN"), errcode: 40234),
        Case(name: "not Base64", headers: with("Wechatmp-Signature", "%%%"), errcode: 40234),
    ]

    @Test(arguments: cases)
    func refused(_ testCase: Case) throws {
        let headers = testCase.headers.map { (name: $0.key, value: $0.value) }
        do {
            _ = try Self.platform().openRequest(urlPath: V.urlPath, headers: headers, body: Array(testCase.body.utf8), now: testCase.now)
            Issue.record("accepted")
        } catch let refusal as ApiPlatform.Refusal {
            #expect(refusal.errcode == testCase.errcode)
        }
    }

    /// Signed properly but sealed under another key: the signature passes, the envelope does not open (40235).
    @Test func anEnvelopeUnderAnotherKeyIsRefused() throws {
        let signer = try ApiSigningKey(pem: V.privateKeyPEM, sn: V.privateKeySN)
        let otherKey = try ApiSymmetricKey(base64: Data(repeating: 7, count: 32).base64EncodedString(), sn: V.symmetricKeySN)
        let timestamp = Int64(V.Request.timestamp)
        let body = ApiEnvelope.seal(Array(V.Request.plaintext.utf8), key: otherKey, aad: V.Request.aad).json
        let signature = signer.sign(ApiSigningString.make(urlPath: V.urlPath, appid: V.appID, timestamp: String(timestamp), body: body))
        let headers = Self.with("Wechatmp-Signature", signature).map { (name: $0.key, value: $0.value) }
        #expect(throws: ApiPlatform.Refusal.badEnvelope) {
            try Self.platform().openRequest(urlPath: V.urlPath, headers: headers, body: body, now: timestamp)
        }
    }

    /// The platform's sealed answer opens with the caller's side, with and without a rotation pair.
    @Test func answersRoundTrip() throws {
        let key = try ApiSymmetricKey(base64: V.symmetricKey, sn: V.symmetricKeySN)
        let platform = try Self.platform()
        let now = Int64(Date().timeIntervalSince1970)
        let sealed = platform.sealAnswer(urlPath: V.urlPath, answer: Array(#"{"errcode":0,"risk_rank":0}"#.utf8), now: now)
        let caller = ApiCaller(
            appid: V.appID, symmetricKey: key, signingKey: try ApiSigningKey(pem: V.privateKeyPEM, sn: V.privateKeySN),
            certificates: [try ApiPlatformCertificate(pem: V.publicKeyPEM, sn: V.platformCertificateSN)])
        let opened = try caller.open(urlPath: V.urlPath, headers: sealed.headers, body: sealed.body, now: now)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(opened)) as? [String: Any])
        #expect(object["risk_rank"] as? Int == 0)
        #expect(object["_appid"] as? String == V.appID)
    }
}
