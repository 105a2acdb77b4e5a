// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import WeChatPush

/// The answer to WeChat for a push, from what the app answered (pure): `success` whenever there is nothing valid
/// to pass on, so the user never sees "this account cannot provide service" because of the sidecar; else the
/// passive reply, as XML (an app's JSON turned into it) or, for a JSON push, JSON, encrypted and signed when the
/// push came encrypted.
struct PushReply: Sendable, Equatable {
    var body: [UInt8]
    var contentType: String
    /// `wxsidecar_push_replies_total{kind}`: the reply's `MsgType` (`text`, `image`, `voice`, `video`, `music`,
    /// `news`, `transfer_customer_service`, `other`), or why `success` was sent: `success` (the app had nothing to
    /// say), `timeout`, `app_error`, `invalid`.
    var kind: String
    /// What was wrong with the app's answer, for the log line (never its content).
    var problem: String?

    static let success = Array("success".utf8)
    static let largestReply = PushForwarder.largestAnswer
    static let knownKinds: Set<String> = [
        "text", "image", "voice", "video", "music", "news", "transfer_customer_service",
    ]

    /// How an encrypted reply is sealed: the account's cipher and token, the time and a fresh nonce.
    struct Seal: Sendable {
        var cipher: PushCipher
        var token: String
        var timestamp: String
        var nonce: String
    }

    /// The reply to `push` given the app's `answer` (`nil`: none by the reply timeout), at `now`.
    static func compose(_ answer: AppAnswer?, to push: ReceivedPush, seal: Seal?, now: Int64) -> PushReply {
        guard let answer else { return plainSuccess(kind: "timeout") }
        switch answer {
        case .noReply: return plainSuccess(kind: "success")
        case .unreachable, .failed: return plainSuccess(kind: "app_error")
        case .reply(let body):
            do throws(PushRefusal) {
                let (reply, kind) = try checked(body, for: push, now: now)
                return sealed(reply, kind: kind, syntax: push.syntax, seal: push.encrypted ? seal : nil)
            } catch {
                var reply = plainSuccess(kind: "invalid")
                reply.problem = error.message
                return reply
            }
        }
    }

    private static func plainSuccess(kind: String) -> PushReply {
        PushReply(body: success, contentType: "text/plain; charset=utf-8", kind: kind)
    }

    /// The app's reply as WeChat takes it, and its kind; refused when it is not a passive reply.
    private static func checked(_ body: [UInt8], for push: ReceivedPush, now: Int64) throws(PushRefusal)
        -> ([UInt8], String)
    {
        guard body.count <= largestReply else { throw .badReply("the reply is over \(largestReply) bytes") }
        let first = body.first { !(0x09...0x0D).contains($0) && $0 != 0x20 }
        let defaults = PassiveReply.Defaults(
            toUserName: push.fromUserName, fromUserName: push.toUserName, createTime: now)
        switch (push.syntax, first) {
        case (.xml, UInt8(ascii: "{")):
            let xml = try PassiveReply.xml(fromJSON: body, defaults: defaults)
            return (xml, kind(of: try PushXML.parse(xml)["MsgType"]?.text))
        case (.xml, UInt8(ascii: "<")):
            let root = try PushXML.parse(body, sizeLimit: largestReply)
            guard root.name == "xml", let type = root["MsgType"]?.text, !type.isEmpty else {
                throw .badReply("an XML reply must be <xml> with a MsgType")
            }
            return (body, kind(of: type))
        case (.json, UInt8(ascii: "{")):
            return try jsonReply(body, defaults: defaults)
        default:
            throw .badReply("the answer is neither success nor a JSON or XML passive reply")
        }
    }

    /// A mini program's JSON reply (e.g. `transfer_customer_service`), its addressing filled in.
    private static func jsonReply(_ body: [UInt8], defaults: PassiveReply.Defaults) throws(PushRefusal) -> ([UInt8], String) {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let type = object["MsgType"] as? String, !type.isEmpty
        else { throw .badReply("a JSON reply must be an object with a MsgType") }
        if object["ToUserName"] == nil { object["ToUserName"] = defaults.toUserName }
        if object["FromUserName"] == nil { object["FromUserName"] = defaults.fromUserName }
        if object["CreateTime"] == nil { object["CreateTime"] = defaults.createTime }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            throw .badReply("the JSON reply cannot be written back")
        }
        return (Array(data), kind(of: type))
    }

    private static func kind(of type: String?) -> String {
        guard let type else { return "other" }
        return knownKinds.contains(type) ? type : "other"
    }

    /// `reply` as sent: as is, or in the encrypted envelope (XML, or JSON for a JSON push).
    private static func sealed(_ reply: [UInt8], kind: String, syntax: ReceivedPush.Syntax, seal: Seal?) -> PushReply {
        let type = syntax == .xml ? "application/xml; charset=utf-8" : "application/json; charset=utf-8"
        guard let seal else { return PushReply(body: reply, contentType: type, kind: kind) }
        switch syntax {
        case .xml:
            let envelope = PassiveReply.encryptedEnvelope(
                reply, cipher: seal.cipher, token: seal.token, timestamp: seal.timestamp, nonce: seal.nonce)
            return PushReply(body: envelope, contentType: type, kind: kind)
        case .json:
            let encrypted = seal.cipher.encrypt(reply)
            let signature = PushSignature.messageSignature(
                token: seal.token, timestamp: seal.timestamp, nonce: seal.nonce, encrypted: encrypted)
            let envelope: [String: Any] = [
                "Encrypt": encrypted, "MsgSignature": signature, "TimeStamp": Int64(seal.timestamp) ?? 0, "Nonce": seal.nonce,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys])) ?? Data()
            return PushReply(body: Array(data), contentType: type, kind: kind)
        }
    }
}
