// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import WeChatPush

/// A push ready to send: the body in its mode and format, and the signed query. Sent again unchanged, it is
/// WeChat's retry: the same body, the same `MsgId`, the same signatures.
public struct SignedPush: Sendable {
    /// What is pushed.
    public let message: PushMessage
    /// The encryption mode.
    public let mode: PushMode
    /// XML or JSON.
    public let format: PushFormat
    /// The `timestamp` query parameter (seconds since 1970).
    public let timestamp: String
    /// The `nonce` query parameter.
    public let nonce: String
    /// The query parameters in WeChat's order: `signature`, `timestamp`, `nonce`, `openid`, then for compatible
    /// and safe modes `encrypt_type` and `msg_signature`.
    public let query: [(name: String, value: String)]
    /// The request body.
    public let body: [UInt8]

    /// Builds and signs `message` for `target`.
    ///
    /// - Parameters:
    ///   - timestamp: Seconds since 1970; now by default.
    ///   - nonce: A random number by default, as WeChat sends.
    /// - Throws: ``PushClientError/missingKey`` for compatible or safe mode without an EncodingAESKey;
    ///   ``PushClientError/badMessage(_:)`` for a field XML cannot carry.
    public init(
        _ message: PushMessage, for target: PushTarget, mode: PushMode, format: PushFormat,
        timestamp: String = Self.now(), nonce: String = Self.randomDigits(10)
    ) throws(PushClientError) {
        self.message = message
        self.mode = mode
        self.format = format
        self.timestamp = timestamp
        self.nonce = nonce
        let signature = PushSignature.urlSignature(token: target.token, timestamp: timestamp, nonce: nonce)
        var query = [
            (name: "signature", value: signature), (name: "timestamp", value: timestamp), (name: "nonce", value: nonce),
            (name: "openid", value: message.fromUserName),
        ]
        let plain = try Self.written(message.elements, format: format)
        guard mode.encrypts else {
            self.body = plain
            self.query = query
            return
        }
        guard let cipher = target.cipher else { throw .missingKey }
        let encrypted = cipher.encrypt(plain)
        let envelope = PushMessage.Field("Encrypt", .text(encrypted))
        let outer =
            mode == .safe ? [PushMessage.Field("ToUserName", .text(message.toUserName)), envelope]
            : message.elements + [envelope]
        self.body = try Self.written(outer, format: format)
        let messageSignature = PushSignature.messageSignature(
            token: target.token, timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        query += [(name: "encrypt_type", value: "aes"), (name: "msg_signature", value: messageSignature)]
        self.query = query
    }

    /// The `Content-Type` of the body.
    public var contentType: String { format.contentType }

    /// `serverURL` with the query appended (after an `&` when it has a query already).
    public func url(_ serverURL: String) -> String {
        Self.url(serverURL, query: query)
    }

    // MARK: - Parts

    private static func written(_ fields: [PushMessage.Field], format: PushFormat) throws(PushClientError) -> [UInt8] {
        do {
            return try PushBodyWriter.body(fields, format: format)
        } catch {
            throw .badMessage(error)
        }
    }

    /// `serverURL` with `query` appended as `name=value&…`, each value percent-encoded but for letters, digits and
    /// `-._~`.
    static func url(_ serverURL: String, query: [(name: String, value: String)]) -> String {
        var allowed = CharacterSet(charactersIn: "-._~")
        allowed.formUnion(CharacterSet(charactersIn: "a"..."z"))
        allowed.formUnion(CharacterSet(charactersIn: "A"..."Z"))
        allowed.formUnion(CharacterSet(charactersIn: "0"..."9"))
        let encoded = query.map { "\($0.name)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        return serverURL + (serverURL.contains("?") ? "&" : "?") + encoded.joined(separator: "&")
    }

    /// Seconds since 1970, as WeChat's `timestamp`.
    public static func now() -> String {
        String(Int64(Date().timeIntervalSince1970))
    }

    /// `count` random decimal digits, the first not zero: WeChat's `nonce` and `echostr` look like this.
    public static func randomDigits(_ count: Int) -> String {
        String(Int.random(in: 1...9)) + String((1..<count).map { _ in Character(String(Int.random(in: 0...9))) })
    }
}
