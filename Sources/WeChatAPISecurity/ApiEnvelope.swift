// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation

/// The encrypted body of a secured API request or answer: `{"iv","data","authtag"}`, each Base64: AES-256-GCM with
/// a 12-byte random IV, authenticated data `urlpath|appid|timestamp|sn` (the URL with scheme and host, no query;
/// the appid; the `Wechatmp-TimeStamp`; the symmetric key's number).
public struct ApiEnvelope: Sendable, Equatable {
    public var iv: String
    public var data: String
    public var authtag: String

    public init(iv: String, data: String, authtag: String) {
        self.iv = iv
        self.data = data
        self.authtag = authtag
    }

    /// `urlpath|appid|timestamp|sn`.
    public static func authenticatedData(urlPath: String, appid: String, timestamp: String, sn: String) -> String {
        "\(urlPath)|\(appid)|\(timestamp)|\(sn)"
    }

    /// `plaintext` sealed with `key` under `aad`; `iv` is 12 fresh random bytes unless given (tests).
    public static func seal(_ plaintext: [UInt8], key: ApiSymmetricKey, aad: String, iv: [UInt8]? = nil) -> ApiEnvelope {
        do {
            let nonce = try iv.map { try AES.GCM.Nonce(data: $0) } ?? AES.GCM.Nonce()
            let box = try AES.GCM.seal(plaintext, using: key.key, nonce: nonce, authenticating: Array(aad.utf8))
            return ApiEnvelope(
                iv: Data(box.nonce).base64EncodedString(), data: box.ciphertext.base64EncodedString(),
                authtag: box.tag.base64EncodedString())
        } catch {
            preconditionFailure("AES-GCM refused a 32-byte key and a 12-byte nonce: \(error)")
        }
    }

    /// The plaintext, once AES-GCM authenticated it under `aad`.
    public func open(key: ApiSymmetricKey, aad: String) throws(ApiSecurityFailure) -> [UInt8] {
        guard let ivBytes = Data(base64Encoded: iv), ivBytes.count == 12, let ciphertext = Data(base64Encoded: data),
            let tag = Data(base64Encoded: authtag), tag.count == 16
        else { throw .badEnvelope("iv (12 bytes), data and authtag (16 bytes) must be Base64") }
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: ivBytes), ciphertext: ciphertext, tag: tag)
            return Array(try AES.GCM.open(box, using: key.key, authenticating: Array(aad.utf8)))
        } catch {
            throw .badCiphertext
        }
    }

    /// The JSON body: `{"iv":…,"data":…,"authtag":…}`.
    public var json: [UInt8] {
        Array(#"{"iv":"\#(iv)","data":"\#(data)","authtag":"\#(authtag)"}"#.utf8)
    }

    /// The envelope in a JSON body; refuses anything else.
    public static func parse(_ body: [UInt8]) throws(ApiSecurityFailure) -> ApiEnvelope {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let iv = object["iv"] as? String, let data = object["data"] as? String, let tag = object["authtag"] as? String
        else { throw .badEnvelope("the body is not a JSON object with iv, data and authtag") }
        return ApiEnvelope(iv: iv, data: data, authtag: tag)
    }
}

/// The strings signed with RSAwithSHA256: `urlpath\nappid\ntimestamp\nbody` (the request's encrypted body as sent,
/// or the answer's body as received).
public enum ApiSigningString {
    public static func make(urlPath: String, appid: String, timestamp: String, body: [UInt8]) -> String {
        "\(urlPath)\n\(appid)\n\(timestamp)\n" + String(decoding: body, as: UTF8.self)
    }
}
