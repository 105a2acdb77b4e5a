// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SidecarCore
import WeChatPush

/// Everything a request on an account's push path must pass before anything reaches the app, as one pure function
/// of the request and the clock: the query's `signature` (token, timestamp, nonce), the replay window, the body
/// cap; in safe and compatible modes `msg_signature` over `Encrypt` (checked before decrypting), the AES envelope
/// and the appid inside; then the XML (DOCTYPE refused) or JSON parse.
struct PushIntake: Sendable {
    let appid: String
    let token: String
    /// `nil` when the account has no EncodingAESKey (plaintext mode only).
    let cipher: PushCipher?
    /// Seconds a timestamp may be from now.
    let replayWindow: Int
    let maxBodyBytes: Int
    let format: SidecarConfiguration.MessageFormat

    /// What a request is.
    enum Verdict: Sendable, Equatable {
        /// URL verification: answer the `echostr`.
        case echo(String)
        /// A verified message for the app.
        case push(ReceivedPush)
        case refused(PushRefusal)
    }

    /// The verdict on `method` with the raw `query` and `body`, at `now` (seconds since 1970).
    func open(method: String, query: Substring?, body: [UInt8], now: Int64) -> Verdict {
        do throws(PushRefusal) {
            switch method {
            case "GET": return .echo(try verifyURL(query, now: now))
            case "POST": return .push(try receive(query, body: body, now: now))
            default: throw .badRequest("a push is a GET (URL verification) or a POST, not \(method.prefix(16))")
            }
        } catch {
            return .refused(error)
        }
    }

    // MARK: - Steps

    /// `GET ?signature&timestamp&nonce&echostr`.
    private func verifyURL(_ query: Substring?, now: Int64) throws(PushRefusal) -> String {
        _ = try signed(query, now: now)
        guard let echostr = Self.parameter("echostr", in: query), !echostr.isEmpty else {
            throw .badRequest("a GET on a push path is WeChat's URL verification and needs echostr")
        }
        return echostr
    }

    /// Checks `signature` and the window; returns the timestamp and nonce it covers.
    private func signed(_ query: Substring?, now: Int64) throws(PushRefusal) -> (String, String) {
        guard let timestamp = Self.parameter("timestamp", in: query), let nonce = Self.parameter("nonce", in: query) else {
            throw .badRequest("signature, timestamp and nonce are required in the query")
        }
        try PushSignature.verifyURL(Self.parameter("signature", in: query), token: token, timestamp: timestamp, nonce: nonce)
        guard let seconds = Int64(timestamp), abs(now - seconds) <= Int64(replayWindow) else {
            throw .stale(window: replayWindow)
        }
        return (timestamp, nonce)
    }

    private func receive(_ query: Substring?, body: [UInt8], now: Int64) throws(PushRefusal) -> ReceivedPush {
        let (timestamp, nonce) = try signed(query, now: now)
        guard body.count <= maxBodyBytes else { throw .tooLarge(limit: maxBodyBytes) }
        let syntax: ReceivedPush.Syntax = body.first(where: { !Self.isSpace($0) }) == UInt8(ascii: "{") ? .json : .xml
        let encrypted = Self.parameter("encrypt_type", in: query)?.lowercased() == "aes"
        var message = body
        if encrypted {
            guard let cipher else { throw .noKey }
            let envelope = try PushFields.parse(body, syntax: syntax, sizeLimit: maxBodyBytes)
            guard let sealed = envelope.text("Encrypt"), !sealed.isEmpty else {
                throw syntax == .xml ? .badXML("an encrypted push needs an Encrypt element") : .badJSON("an encrypted push needs an Encrypt field")
            }
            try PushSignature.verifyMessage(
                Self.parameter("msg_signature", in: query), token: token, timestamp: timestamp, nonce: nonce, encrypted: sealed)
            message = try cipher.decrypt(sealed)
        }
        let fields = try PushFields.parse(message, syntax: syntax, sizeLimit: maxBodyBytes)
        let forwarded = fields.forwarded(message, format: format)
        return ReceivedPush(
            syntax: syntax, encrypted: encrypted, forwarded: forwarded,
            contentType: syntax == .xml && format == .xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8",
            toUserName: fields.text("ToUserName") ?? "", fromUserName: fields.text("FromUserName") ?? "",
            createTime: fields.text("CreateTime") ?? "", msgType: fields.text("MsgType") ?? "",
            msgID: fields.text("MsgId") ?? "", event: fields.text("Event") ?? "")
    }

    // MARK: - Query

    /// The percent-decoded value of the first `name` parameter.
    static func parameter(_ name: String, in query: Substring?) -> String? {
        guard let raw = QueryRewriter.firstValue(of: name, in: query) else { return nil }
        return String(raw).removingPercentEncoding
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
