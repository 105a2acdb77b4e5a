// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing
import WeChatEmulator
import WeChatPush

/// How the client reads the server's answer, as WeChat does.
@Suite("Push replies")
struct PushReplyTests {
    private static let message = PushMessage.sample(
        .text, toUserName: "gh_0123456789ab", fromUserName: "oUser", content: "hi")

    private func send(
        answer: PushReceiver.Answer, mode: PushMode = .safe, format: PushFormat = .xml, withKey: Bool = true
    ) async throws -> PushResult {
        try await PushReceiver.withClient(answer: answer, withKey: withKey) { _, client in
            try await client.send(try SignedPush(Self.message, for: client.target, mode: mode, format: format))
        }
    }

    @Test("success and an empty body are no reply", arguments: [PushReceiver.Answer.success, .empty])
    func noReply(answer: PushReceiver.Answer) async throws {
        let result = try await send(answer: answer)
        #expect(result.status == 200)
        #expect(try result.reply.get() == PushAnswer.none)
        #expect(result.isAccepted)
    }

    @Test("a plaintext XML or JSON reply is read as the message", arguments: [PushReceiver.Answer.plainReply, .plainJSONReply])
    func plainReply(answer: PushReceiver.Answer) async throws {
        let result = try await send(answer: answer, mode: .plaintext)
        guard case .message(let reply) = try result.reply.get() else { throw Unexpected(result) }
        #expect(!reply.wasEncrypted)
        #expect(reply.root["MsgType"]?.text == "text")
        #expect(reply.root["Content"]?.text == "you said: hi")
    }

    @Test("an encrypted reply is verified and decrypted", arguments: PushFormat.allCases)
    func encryptedReply(format: PushFormat) async throws {
        let result = try await send(answer: .encryptedReply, format: format)
        guard case .message(let reply) = try result.reply.get() else { throw Unexpected(result) }
        #expect(reply.wasEncrypted)
        #expect(reply.root["ToUserName"]?.text == "oUser")
        #expect(reply.root["FromUserName"]?.text == "gh_0123456789ab")
        #expect(reply.root["Content"]?.text == "you said: hi")
        #expect(String(decoding: result.body, as: UTF8.self).contains("<MsgSignature>"))
    }

    @Test("an encrypted reply whose MsgSignature does not verify is an error")
    func wrongSignature() async throws {
        let result = try await send(answer: .encryptedReplyWrongSignature)
        #expect(result.status == 200)
        #expect(throws: PushClientError.badReplySignature) { try result.reply.get() }
        #expect(!result.isAccepted)
        #expect(PushReport.isFailure(.success(result)))
    }

    @Test("an encrypted reply to a client without the key is an error")
    func encryptedReplyWithoutKey() async throws {
        let result = try await send(answer: .encryptedReply, mode: .plaintext, withKey: false)
        #expect(throws: PushClientError.missingKey) { try result.reply.get() }
    }

    @Test("an answer that is neither success, XML nor JSON is unreadable")
    func garbage() async throws {
        let result = try await send(answer: .garbage)
        #expect { try result.reply.get() } throws: { ($0 as? PushClientError)?.label == "unreadable_reply" }
        #expect(result.body == Array("an error page".utf8))
    }

    @Test("a status other than 200 is not accepted, whatever the body")
    func status() async throws {
        let result = try await send(answer: .status(500))
        #expect(result.status == 500)
        #expect(!result.isAccepted)
    }

    @Test("a push signed with another token is refused by the receiver: the client reports its 403")
    func refusedPush() async throws {
        try await PushReceiver.withClient(token: "another-token") { receiver, client in
            let result = try await client.send(try SignedPush(Self.message, for: client.target, mode: .safe, format: .xml))
            #expect(result.status == 403)
            #expect(receiver.requests.first?.refusal != nil)
            #expect(PushReport.isFailure(.success(result)))
        }
    }

    private struct Unexpected: Error, CustomStringConvertible {
        var result: PushResult
        init(_ result: PushResult) { self.result = result }
        var description: String { "unexpected reply: \(result.reply)" }
    }
}
