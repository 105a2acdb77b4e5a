// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The app's side of a secured API call (what the sidecar does for the app): seal and sign the request, then
/// verify and open the answer.
public struct ApiCaller: Sendable {
    public let appid: String
    public let symmetricKey: ApiSymmetricKey
    public let signingKey: ApiSigningKey
    /// The platform certificates by number; during a rotation, both.
    public let certificates: [String: ApiPlatformCertificate]

    public init(
        appid: String, symmetricKey: ApiSymmetricKey, signingKey: ApiSigningKey, certificates: [ApiPlatformCertificate]
    ) {
        self.appid = appid
        self.symmetricKey = symmetricKey
        self.signingKey = signingKey
        self.certificates = Dictionary(certificates.map { ($0.sn, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A request as sent: the encrypted body and the `Wechatmp-*` headers.
    public struct SealedRequest: Sendable {
        public var body: [UInt8]
        public var headers: [(name: String, value: String)]
    }

    /// Seals `body` (a JSON object; `parameters` are the URL's, the access_token left out) for `urlPath` (scheme,
    /// host and path, no query) at `timestamp`, and signs it.
    /// - Parameters:
    ///   - nonce: `_n`; 16 random bytes as Base64 unless given (tests).
    ///   - iv: the GCM IV; 12 random bytes unless given (tests).
    public func seal(
        urlPath: String, body: [UInt8], parameters: [(name: String, value: String)], timestamp: Int64,
        nonce: String? = nil, iv: [UInt8]? = nil
    ) throws(ApiSecurityFailure) -> SealedRequest {
        let plaintext = try ApiPlaintext.compose(
            body: body, parameters: parameters, appid: appid, timestamp: timestamp, nonce: nonce ?? Self.randomNonce())
        let aad = ApiEnvelope.authenticatedData(urlPath: urlPath, appid: appid, timestamp: String(timestamp), sn: symmetricKey.sn)
        let sealed = ApiEnvelope.seal(plaintext, key: symmetricKey, aad: aad, iv: iv).json
        let signature = signingKey.sign(
            ApiSigningString.make(urlPath: urlPath, appid: appid, timestamp: String(timestamp), body: sealed))
        return SealedRequest(
            body: sealed,
            headers: [
                ("Wechatmp-Appid", appid), ("Wechatmp-TimeStamp", String(timestamp)), ("Wechatmp-Signature", signature),
                ("Wechatmp-Serial", signingKey.sn),
            ])
    }

    /// The answer's plaintext JSON, once its signature verified with the platform certificate its serial names
    /// (or, during a rotation, the deprecated pair) and AES-GCM authenticated it.
    /// An answer signed more than ``answerMaxAge`` seconds before `now` is refused, as the guide's sample does.
    public func open(
        urlPath: String, headers: [(name: String, value: String)], body: [UInt8],
        now: Int64 = Int64(Date().timeIntervalSince1970)
    ) throws(ApiSecurityFailure) -> [UInt8] {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value.trimmingCharacters(in: .whitespaces)
        }
        guard let timestamp = header("Wechatmp-TimeStamp"), let serial = header("Wechatmp-Serial"),
            let signature = header("Wechatmp-Signature")
        else { throw .unsigned("the answer carries no Wechatmp-Signature, Wechatmp-Serial and Wechatmp-TimeStamp") }
        let signed = ApiSigningString.make(urlPath: urlPath, appid: appid, timestamp: timestamp, body: body)
        if let certificate = certificates[serial] {
            guard certificate.verifies(signature, over: signed) else { throw .badSignature }
        } else if let deprecatedSerial = header("Wechatmp-Serial-Deprecated"),
            let certificate = certificates[deprecatedSerial]
        {
            guard let deprecated = header("Wechatmp-Signature-Deprecated"), certificate.verifies(deprecated, over: signed)
            else { throw .badSignature }
        } else {
            throw .unknownSerial(serial)
        }
        if let answeredFor = header("Wechatmp-Appid"), answeredFor != appid {
            throw .mismatch("the answer is signed for another appid")
        }
        guard let signedAt = Int64(timestamp), now - signedAt <= Self.answerMaxAge else {
            throw .mismatch("the answer was signed more than \(Self.answerMaxAge) s ago (a replay)")
        }
        let aad = ApiEnvelope.authenticatedData(urlPath: urlPath, appid: appid, timestamp: timestamp, sn: symmetricKey.sn)
        let plaintext = try ApiEnvelope.parse(body).open(key: symmetricKey, aad: aad)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(plaintext))) as? [String: Any] else {
            throw .badEnvelope("the decrypted answer is not a JSON object")
        }
        if let inner = object["_appid"] as? String, inner != appid { throw .mismatch("the answer's _appid is not the account's") }
        if let inner = object["_timestamp"] as? NSNumber, inner.stringValue != timestamp {
            throw .mismatch("the answer's _timestamp is not the signed Wechatmp-TimeStamp")
        }
        return plaintext
    }

    /// How old a signed answer may be, in seconds (the guide's sample: 300).
    public static let answerMaxAge: Int64 = 300

    /// 16 random bytes, Base64 (the guide recommends 16 to 32 bytes of random Base64).
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }
}
