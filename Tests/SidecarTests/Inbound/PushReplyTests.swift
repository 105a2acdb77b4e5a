// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
@testable import Sidecar
import TestSupport
import Testing
import WeChatPush

/// The answer to WeChat from the app's answer: `success` whenever nothing valid can be passed on; every passive
/// reply kind through the safe-mode envelope and back.
@Suite struct PushReplyTests {
    typealias OA = PushVectors.OfficialAccount

    static let push = ReceivedPush(
        syntax: .xml, encrypted: true, forwarded: [], contentType: "application/json", toUserName: "gh_10f6c3c3ac5a",
        fromUserName: "oUser", createTime: "1409735668", msgType: "text", msgID: "1", event: "")

    static func seal() throws -> PushReply.Seal {
        PushReply.Seal(
            cipher: PushCipher(key: try EncodingAESKey(OA.encodingAESKey), appID: OA.appID), token: OA.token,
            timestamp: "1409735700", nonce: "nonce123")
    }

    /// Opens an encrypted envelope as WeChat would: checks MsgSignature, decrypts, parses.
    static func open(_ body: [UInt8], seal: PushReply.Seal) throws -> PushXMLElement {
        let envelope = try PushXML.parse(body)
        let encrypted = try #require(envelope["Encrypt"]?.text)
        let signature = PushSignature.messageSignature(
            token: seal.token, timestamp: try #require(envelope["TimeStamp"]?.text), nonce: try #require(envelope["Nonce"]?.text),
            encrypted: encrypted)
        #expect(envelope["MsgSignature"]?.text == signature)
        return try PushXML.parse(try seal.cipher.decrypt(encrypted))
    }

    static let replies: [(kind: String, json: String, check: String)] = [
        ("text", #"{"MsgType":"text","Content":"你好 <b>&"}"#, "Content"),
        ("image", #"{"MsgType":"image","Image":{"MediaId":"m1"}}"#, "Image"),
        ("voice", #"{"MsgType":"voice","Voice":{"MediaId":"m2"}}"#, "Voice"),
        ("video", #"{"MsgType":"video","Video":{"MediaId":"m3","Title":"t","Description":"d"}}"#, "Video"),
        ("music", #"{"MsgType":"music","Music":{"Title":"t","MusicUrl":"http://x/y.mp3","ThumbMediaId":"m4"}}"#, "Music"),
        ("news", #"{"MsgType":"news","Articles":[{"Title":"a","Url":"http://x"},{"Title":"b","Url":"http://y"}]}"#, "Articles"),
    ]

    @Test(arguments: 0..<replies.count)
    func everyReplyKindRoundTripsThroughTheEnvelope(_ index: Int) throws {
        let (kind, json, field) = Self.replies[index]
        let seal = try Self.seal()
        let reply = PushReply.compose(.reply(Array(json.utf8)), to: Self.push, seal: seal, now: 1_409_735_700)
        #expect(reply.kind == kind)
        #expect(reply.problem == nil)
        let xml = try Self.open(reply.body, seal: seal)
        #expect(xml["MsgType"]?.text == kind)
        #expect(xml["ToUserName"]?.text == "oUser")
        #expect(xml["FromUserName"]?.text == "gh_10f6c3c3ac5a")
        #expect(xml["CreateTime"]?.text == "1409735700")
        #expect(xml[field] != nil)
        if kind == "news" { #expect(xml["ArticleCount"]?.text == "2") }
        if kind == "text" { #expect(xml["Content"]?.text == "你好 <b>&") }
    }

    @Test func plaintextPushGetsAPlainReply() throws {
        var push = Self.push
        push.encrypted = false
        let reply = PushReply.compose(.reply(Array(#"{"MsgType":"text","Content":"hi"}"#.utf8)), to: push, seal: try Self.seal(), now: 1)
        let xml = try PushXML.parse(reply.body)
        #expect(xml["Content"]?.text == "hi")
        #expect(xml["Encrypt"] == nil)
    }

    @Test func xmlReplyIsPassedOnAndEncrypted() throws {
        let answer = "<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_1]]></FromUserName><CreateTime>5</CreateTime><MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>"
        let seal = try Self.seal()
        let reply = PushReply.compose(.reply(Array(answer.utf8)), to: Self.push, seal: seal, now: 1)
        #expect(reply.kind == "transfer_customer_service")
        #expect(try seal.cipher.decrypt(try #require(try PushXML.parse(reply.body)["Encrypt"]?.text)) == Array(answer.utf8))
    }

    @Test func jsonPushGetsAJSONEnvelope() throws {
        var push = Self.push
        push.syntax = .json
        let seal = try Self.seal()
        let reply = PushReply.compose(.reply(Array(#"{"MsgType":"transfer_customer_service"}"#.utf8)), to: push, seal: seal, now: 7)
        let envelope = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        let encrypted = try #require(envelope["Encrypt"] as? String)
        #expect(envelope["MsgSignature"] as? String == PushSignature.messageSignature(
            token: seal.token, timestamp: seal.timestamp, nonce: seal.nonce, encrypted: encrypted))
        let inner = try #require(try JSONSerialization.jsonObject(with: Data(try seal.cipher.decrypt(encrypted))) as? [String: Any])
        #expect(inner["MsgType"] as? String == "transfer_customer_service")
        #expect(inner["ToUserName"] as? String == "oUser")
    }

    struct SuccessCase: Sendable, CustomTestStringConvertible {
        var name: String
        var answer: AppAnswer?
        var kind: String
        var problem: Bool
        var testDescription: String { name }
    }

    static let successes: [SuccessCase] = [
        SuccessCase(name: "no answer by the timeout", answer: nil, kind: "timeout", problem: false),
        SuccessCase(name: "app said success", answer: .noReply, kind: "success", problem: false),
        SuccessCase(name: "app down", answer: .unreachable("connect"), kind: "app_error", problem: false),
        SuccessCase(name: "app 500", answer: .failed("status_5xx"), kind: "app_error", problem: false),
        SuccessCase(name: "unknown MsgType", answer: .reply(Array(#"{"MsgType":"sticker"}"#.utf8)), kind: "invalid", problem: true),
        SuccessCase(name: "text without Content", answer: .reply(Array(#"{"MsgType":"text"}"#.utf8)), kind: "invalid", problem: true),
        SuccessCase(name: "plain words", answer: .reply(Array("thanks!".utf8)), kind: "invalid", problem: true),
        SuccessCase(name: "XML without MsgType", answer: .reply(Array("<xml><a>1</a></xml>".utf8)), kind: "invalid", problem: true),
        SuccessCase(name: "XML with a DOCTYPE", answer: .reply(Array("<!DOCTYPE x><xml><MsgType>text</MsgType></xml>".utf8)), kind: "invalid", problem: true),
        SuccessCase(name: "news without articles", answer: .reply(Array(#"{"MsgType":"news","Articles":[]}"#.utf8)), kind: "invalid", problem: true),
        SuccessCase(name: "over 64 KiB", answer: .reply(Array(("{\"MsgType\":\"text\",\"Content\":\"" + String(repeating: "x", count: 70_000) + "\"}").utf8)), kind: "invalid", problem: true),
    ]

    @Test(arguments: successes)
    func answersSuccess(_ testCase: SuccessCase) throws {
        let reply = PushReply.compose(testCase.answer, to: Self.push, seal: try Self.seal(), now: 1)
        #expect(reply.body == Array("success".utf8))
        #expect(reply.kind == testCase.kind)
        #expect((reply.problem != nil) == testCase.problem)
    }
}
