// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import Sidecar
import TestSupport
import Testing
import WeChatEmulator
import WeChatPush

/// WeChat's pushes through the inbound listener to an app on a real socket, sent by the emulator's push client
/// (signed and encrypted as WeChat does): every kind in every mode and format, replies back through the
/// envelope, URL verification.
@Suite struct InboundEndToEndTests {
    @Test func everyKindInEveryModeReachesTheAppAsCloudHostingJSON() async throws {
        try await withInbound { fixture in
            var sent = 0
            for mode in PushMode.allCases {
                for kind in PushKind.allCases {
                    // One user per mode: an event from one user in one second is one event, whatever the mode.
                    let push = try fixture.push(kind, mode: mode, openid: "oUser-\(mode)")
                    let result = try await fixture.pushes.send(push)
                    #expect(result.status == 200, "\(kind) \(mode)")
                    #expect(try result.reply.get() == PushAnswer.none, "\(kind) \(mode)")
                    sent += 1
                    let (_, received) = try await fixture.app.requests.first(from: sent - 1, "\(kind) \(mode)") { _ in true }
                    let json = received.json
                    #expect(json["MsgType"] as? String == kind.msgType)
                    #expect(json["FromUserName"] as? String == push.message.fromUserName)
                    #expect(json["Encrypt"] == nil)
                    #expect((json["CreateTime"] as? NSNumber)?.int64Value == push.message.createTime)
                    if let msgID = push.message.msgID {
                        // The digits as WeChat sent them, a JSON number (17 digits, above 2^53).
                        #expect(received.text.contains("\"MsgId\":\(msgID)"))
                    }
                    #expect(received.headers["content-type"]?.hasPrefix("application/json") == true)
                    #expect(received.headers["x-wx-appid"] == fixture.target.appID)
                    #expect(received.headers["x-wx-openid"] == push.message.fromUserName)
                    #expect(received.headers["x-wx-source"] == "wxsidecar-push")
                    #expect(received.headers["x-request-id"]?.isEmpty == false)
                    // Nothing the app receives carries the Token, the key or a signature.
                    #expect(!received.text.contains(InboundFixture.token) && received.headers["signature"] == nil)
                }
            }
            #expect(fixture.app.requests.items.count == sent)
            let appid = fixture.target.appID
            #expect(fixture.harness.metric("wxsidecar_pushes_verified_total{appid=\"\(appid)\"}") == Double(sent))
            #expect(fixture.harness.metric("wxsidecar_pushes_forwarded_total{result=\"no_reply\"}") == Double(sent))
            #expect(fixture.harness.metric("wxsidecar_push_replies_total{kind=\"success\"}") == Double(sent))
            #expect(fixture.harness.metric("wxsidecar_push_app_duration_seconds_count{appid=\"\(appid)\"}") == Double(sent))
            #expect(fixture.harness.metric("wxsidecar_pushes_received_total{appid=\"\(appid)\"}") == Double(sent))
        }
    }

    @Test func jsonPushesOfMiniProgramsArriveAsTheyCame() async throws {
        try await withInbound { fixture in
            var sent = 0
            for mode in PushMode.allCases {
                for kind in PushKind.allCases {
                    let push = try fixture.push(kind, mode: mode, format: .json, content: "json \(mode)", openid: "oJSON-\(mode)")
                    let result = try await fixture.pushes.send(push)
                    #expect(result.status == 200)
                    sent += 1
                    let (_, received) = try await fixture.app.requests.first(from: sent - 1, "\(kind) \(mode)") { _ in true }
                    #expect(received.json["MsgType"] as? String == kind.msgType)
                    #expect(received.json["Encrypt"] == nil)
                    if kind == .text { #expect(received.json["Content"] as? String == "json \(mode)") }
                    // What WeChat encrypted, byte for byte.
                    #expect(try push.message.body(.json) == received.body)
                }
            }
            // One access-log line per push, with its id and no content.
            #expect(fixture.harness.logs.count("push_success") == sent)
            #expect(!fixture.harness.logs.contains("json safe"))
            let status = try await fixture.harness.send("GET", "/-/status")
            let metrics = try await fixture.harness.send("GET", "/-/metrics")
            for text in [status.text, metrics.text, fixture.harness.logs.text] {
                #expect(!text.contains(InboundFixture.token) && !text.contains(InboundFixture.aesKey))
            }
        }
    }

    @Test func passiveRepliesComeBackEncryptedAndSigned() async throws {
        try await withInbound { fixture in
            let replies: [(kind: String, json: String)] = [
                ("text", #"{"MsgType":"text","Content":"you said hello"}"#),
                ("image", #"{"MsgType":"image","Image":{"MediaId":"m1"}}"#),
                ("voice", #"{"MsgType":"voice","Voice":{"MediaId":"m2"}}"#),
                ("video", #"{"MsgType":"video","Video":{"MediaId":"m3","Title":"t"}}"#),
                ("music", #"{"MsgType":"music","Music":{"Title":"t","MusicUrl":"http://m/1.mp3"}}"#),
                ("news", #"{"MsgType":"news","Articles":[{"Title":"a","Url":"http://x"}]}"#),
            ]
            for (kind, json) in replies {
                fixture.app.answer { _ in .json(json) }
                for mode in PushMode.allCases {
                    let push = try fixture.push(.text, mode: mode)
                    let result = try await fixture.pushes.send(push)
                    guard case .message(let reply) = try result.reply.get() else {
                        Issue.record("no reply for \(kind) in \(mode)")
                        continue
                    }
                    // The client checked MsgSignature and decrypted; safe and compatible modes reply encrypted.
                    #expect(reply.wasEncrypted == mode.encrypts, "\(kind) \(mode)")
                    #expect(reply.root["MsgType"]?.text == kind)
                    #expect(reply.root["ToUserName"]?.text == push.message.fromUserName)
                    #expect(reply.root["FromUserName"]?.text == InboundFixture.originalID)
                }
                #expect(fixture.harness.metric("wxsidecar_push_replies_total{kind=\"\(kind)\"}") == 3)
            }
        }
    }

    @Test func xmlFormatForwardsTheMessageAsWeChatWroteItAndPassesXMLRepliesOn() async throws {
        try await withInbound(message: ["  format: xml"]) { fixture in
            fixture.app.answer { request in
                let root = try? PushXML.parse(request.body)
                let to = root?["FromUserName"]?.text ?? ""
                return FakeApp.Answer(
                    body: "<xml><ToUserName><![CDATA[\(to)]]></ToUserName><FromUserName><![CDATA[gh_x]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[xml back]]></Content></xml>",
                    contentType: "text/xml")
            }
            let push = try fixture.push(.location, mode: .safe)
            let result = try await fixture.pushes.send(push)
            guard case .message(let reply) = try result.reply.get() else { Issue.record("no reply"); return }
            #expect(reply.wasEncrypted)
            #expect(reply.root["Content"]?.text == "xml back")
            let (_, received) = try await fixture.app.requests.first("the push") { _ in true }
            #expect(received.headers["content-type"]?.hasPrefix("text/xml") == true)
            #expect(try push.message.body(.xml) == received.body)
        }
    }

    @Test func urlVerificationAnswersTheEchostrOnlyWithTheRightToken() async throws {
        try await withInbound { fixture in
            let good = try await fixture.pushes.verifyURL()
            #expect(good.status == 200)
            #expect(String(decoding: good.body, as: UTF8.self) == good.echostr)
            var wrong = fixture.target
            wrong.token = "notTheToken"
            let bad = try await PushClient(target: wrong, http: fixture.harness.client).verifyURL()
            #expect(bad.status == 403)
            #expect(String(decoding: bad.body, as: UTF8.self) != bad.echostr)
            #expect(fixture.app.requests.items.isEmpty)
            #expect(fixture.harness.metric("wxsidecar_pushes_refused_total{reason=\"bad_signature\"}") == 1)
        }
    }
}
