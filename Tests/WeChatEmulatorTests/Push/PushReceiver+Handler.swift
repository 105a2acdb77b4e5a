// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TestSupport
import WeChatEmulator
import WeChatPush

extension PushReceiver {
    /// What the receiver's routes do: check, record, answer.
    struct Handler: Sendable {
        let answer: Answer
        let holdUntil: Int?
        let cipher: PushCipher
        let received: EventLog<ReceivedRequest>

        private var token: String { PushReceiver.account.token }

        /// `GET`: answers the `echostr` when `signature` verifies.
        func verification(_ request: Request) -> Response {
            var push = ReceivedRequest(method: "GET", query: Self.query(request))
            do {
                try verifySignature(push)
            } catch {
                push.refusal = error.label
                received.append(push)
                return Self.response(403, error.label)
            }
            received.append(push)
            let echostr = push.query("echostr") ?? ""
            guard case .wrongEcho = answer else { return Self.response(200, echostr) }
            return Self.response(200, "not \(echostr)")
        }

        /// `POST`: verifies `signature`, then (encrypted) `msg_signature` and the envelope, records the push, waits
        /// for ``holdUntil`` arrivals, answers.
        func push(_ request: Request) async throws -> Response {
            var push = ReceivedRequest(
                method: "POST", query: Self.query(request), contentType: request.headers[.contentType],
                body: Array(try await request.body.collect(upTo: 1 << 20).readableBytesView))
            do {
                try open(&push)
            } catch {
                push.refusal = "\(error)"
                received.append(push)
                return Self.response(403, "refused")
            }
            received.append(push)
            if let holdUntil {
                _ = try await received.first(from: holdUntil - 1, "\(holdUntil) pushes", timeout: .seconds(10)) { _ in
                    true
                }
            }
            return reply(to: push)
        }

        // MARK: - Checking

        private func verifySignature(_ push: ReceivedRequest) throws(PushRefusal) {
            try PushSignature.verifyURL(
                push.query("signature"), token: token, timestamp: push.query("timestamp") ?? "",
                nonce: push.query("nonce") ?? "")
        }

        /// Verifies and reads the push into ``ReceivedRequest/outer`` and ``ReceivedRequest/fields``.
        private func open(_ push: inout ReceivedRequest) throws {
            try verifySignature(push)
            let json = push.contentType == PushFormat.json.contentType
            push.outer = try ReceivedRequest.fields(push.body, json: json)
            push.fields = push.outer
            guard push.query("encrypt_type") == "aes" else { return }
            guard case .text(let encrypted)? = push.outer.first(where: { $0.name == "Encrypt" })?.value else {
                throw PushRefusal.badXML("no Encrypt field")
            }
            try PushSignature.verifyMessage(
                push.query("msg_signature"), token: token, timestamp: push.query("timestamp") ?? "",
                nonce: push.query("nonce") ?? "", encrypted: encrypted)
            push.fields = try ReceivedRequest.fields(try cipher.decrypt(encrypted), json: json)
        }

        // MARK: - Answering

        private func reply(to push: ReceivedRequest) -> Response {
            switch answer {
            case .success, .wrongEcho: Self.response(200, "success")
            case .empty: Self.response(200, "")
            case .plainReply: Self.response(200, replyXML(to: push))
            case .plainJSONReply: Self.response(200, replyJSON(to: push))
            case .encryptedReply: Self.response(200, envelope(replyXML(to: push), token: token))
            case .encryptedReplyWrongSignature: Self.response(200, envelope(replyXML(to: push), token: "not-" + token))
            case .garbage: Self.response(200, "an error page")
            case .status(let code): Self.response(code, "success")
            }
        }

        /// `{"MsgType":"text","Content":"you said: …"}`, the content being the push's `Content` (or its kind).
        private func replyJSON(to push: ReceivedRequest) -> String {
            let said = push.fieldsByName["Content"]?.text ?? push.fieldsByName["MsgType"]?.text ?? "?"
            let object = ["MsgType": "text", "Content": "you said: \(said)"]
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }

        /// The JSON reply as WeChat's reply XML, addressed back to the sender.
        private func replyXML(to push: ReceivedRequest) -> String {
            let defaults = PassiveReply.Defaults(
                toUserName: push.fieldsByName["FromUserName"]?.text ?? "",
                fromUserName: push.fieldsByName["ToUserName"]?.text ?? "", createTime: 1_700_000_000)
            let xml = try! PassiveReply.xml(fromJSON: Array(replyJSON(to: push).utf8), defaults: defaults)
            return String(decoding: xml, as: UTF8.self)
        }

        private func envelope(_ xml: String, token: String) -> String {
            let envelope = PassiveReply.encryptedEnvelope(
                Array(xml.utf8), cipher: cipher, token: token, timestamp: "1700000001", nonce: "246813579")
            return String(decoding: envelope, as: UTF8.self)
        }

        // MARK: - HTTP

        private static func query(_ request: Request) -> [(name: String, value: String)] {
            request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
        }

        private static func response(_ status: Int, _ body: String) -> Response {
            Response(
                status: HTTPResponse.Status(code: status), headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
