// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CryptoExtras
import Foundation

/// WeChat's side of a secured API call (the emulator plays it): checks the request's headers, timestamp and
/// signature (with the app's public key), opens the envelope, and seals and signs the answer with the platform key
/// (and, during a certificate rotation, the deprecated one too).
public struct ApiPlatform: Sendable {
    public let appid: String
    public let symmetricKey: ApiSymmetricKey
    /// The app's public key, as uploaded in the console.
    public let appPublicKey: _RSA.Signing.PublicKey
    /// The platform key; its number is the certificate's (`Wechatmp-Serial`).
    public let platformKey: ApiSigningKey
    /// The previous platform key during a rotation (`Wechatmp-Serial-Deprecated`).
    public let deprecatedKey: ApiSigningKey?
    /// Seconds a request's `Wechatmp-TimeStamp` may be from now.
    public let window: Int64

    public init(
        appid: String, symmetricKey: ApiSymmetricKey, appPublicKey: _RSA.Signing.PublicKey, platformKey: ApiSigningKey,
        deprecatedKey: ApiSigningKey? = nil, window: Int64 = 300
    ) {
        self.appid = appid
        self.symmetricKey = symmetricKey
        self.appPublicKey = appPublicKey
        self.platformKey = platformKey
        self.deprecatedKey = deprecatedKey
        self.window = window
    }

    /// Why the platform refuses a request: WeChat's errcode and message.
    public struct Refusal: Error, Sendable, Equatable {
        public var errcode: Int
        public var errmsg: String

        // The guide's error codes (服务端 API 签名加密指南, 五、错误码).
        public static let missingSerial = Refusal(errcode: 40230, errmsg: "Wechatmp-Serial missing")
        public static let missingTimestamp = Refusal(errcode: 40231, errmsg: "Wechatmp-TimeStamp missing")
        public static let missingSignature = Refusal(errcode: 40232, errmsg: "Wechatmp-Signature missing")
        public static let missingAppid = Refusal(errcode: 40233, errmsg: "Wechatmp-Appid missing")
        /// The request signature does not verify with the app's public key.
        public static let badSignature = Refusal(errcode: 40234, errmsg: "invalid signature")
        /// The body is not an envelope, or does not open, or its security fields do not match.
        public static let badEnvelope = Refusal(errcode: 40235, errmsg: "invalid encryption")
        /// `Wechatmp-Appid` is not the account's.
        public static let wrongAppid = Refusal(errcode: 40236, errmsg: "invalid Wechatmp-Appid")
        /// `Wechatmp-TimeStamp` is too far from now.
        public static let stale = Refusal(errcode: 40240, errmsg: "expired timestamp")
    }

    /// The request's plaintext JSON (its security fields checked), once headers, timestamp and signature passed.
    public func openRequest(urlPath: String, headers: [(name: String, value: String)], body: [UInt8], now: Int64)
        throws(Refusal) -> [UInt8]
    {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value.trimmingCharacters(in: .whitespaces)
        }
        guard header("Wechatmp-Serial") != nil else { throw .missingSerial }
        guard let timestamp = header("Wechatmp-TimeStamp"), let seconds = Int64(timestamp) else { throw .missingTimestamp }
        guard let signature = header("Wechatmp-Signature") else { throw .missingSignature }
        guard let claimed = header("Wechatmp-Appid") else { throw .missingAppid }
        guard claimed == appid else { throw .wrongAppid }
        guard let raw = Data(base64Encoded: signature) else { throw .badSignature }
        guard abs(now - seconds) <= window else { throw .stale }
        let signed = ApiSigningString.make(urlPath: urlPath, appid: appid, timestamp: timestamp, body: body)
        guard appPublicKey.isValidSignature(.init(rawRepresentation: raw), for: Array(signed.utf8), padding: .PSS) else {
            throw .badSignature
        }
        let aad = ApiEnvelope.authenticatedData(urlPath: urlPath, appid: appid, timestamp: timestamp, sn: symmetricKey.sn)
        guard let envelope = try? ApiEnvelope.parse(body), let plaintext = try? envelope.open(key: symmetricKey, aad: aad),
            let object = (try? JSONSerialization.jsonObject(with: Data(plaintext))) as? [String: Any],
            object["_appid"] as? String == appid, (object["_timestamp"] as? NSNumber)?.int64Value == seconds,
            object["_n"] is String
        else { throw .badEnvelope }
        return plaintext
    }

    /// The answer as WeChat sends it: `answer` (a JSON object) sealed with the security fields added, signed by the
    /// platform key (and the deprecated one during a rotation).
    public func sealAnswer(urlPath: String, answer: [UInt8], now: Int64) -> (headers: [(name: String, value: String)], body: [UInt8]) {
        let plaintext = (try? ApiPlaintext.compose(
            body: answer, parameters: [], appid: appid, timestamp: now, nonce: ApiCaller.randomNonce())) ?? answer
        let aad = ApiEnvelope.authenticatedData(urlPath: urlPath, appid: appid, timestamp: String(now), sn: symmetricKey.sn)
        let body = ApiEnvelope.seal(plaintext, key: symmetricKey, aad: aad).json
        let signed = ApiSigningString.make(urlPath: urlPath, appid: appid, timestamp: String(now), body: body)
        var headers: [(name: String, value: String)] = [
            ("Wechatmp-Appid", appid), ("Wechatmp-TimeStamp", String(now)),
            ("Wechatmp-Serial", platformKey.sn), ("Wechatmp-Signature", platformKey.sign(signed)),
        ]
        if let deprecatedKey {
            headers += [("Wechatmp-Serial-Deprecated", deprecatedKey.sn), ("Wechatmp-Signature-Deprecated", deprecatedKey.sign(signed))]
        }
        return (headers, body)
    }
}
