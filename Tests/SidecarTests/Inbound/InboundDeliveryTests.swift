// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator
import WeChatPush

/// Each message reaches the app once whatever WeChat's retries do, and WeChat always gets an answer in time:
/// `success` when the app is down, failing, slow or answers nonsense, with the message logged and counted.
@Suite struct InboundDeliveryTests {
    static let replyText = #"{"MsgType":"text","Content":"got it"}"#

    @Test func retriesOneAfterAnotherReachTheAppOnceAndGetItsReply() async throws {
        try await withInbound { fixture in
            fixture.app.answer { _ in .json(Self.replyText) }
            for kind in [PushKind.text, .subscribe] {
                let push = try fixture.push(kind, mode: .safe, openid: "oRetry-\(kind)")
                // WeChat's schedule: the same push again after each answer (PushRetries.weChat, without the waits).
                for attempt in 1...4 {
                    let result = try await fixture.pushes.send(push)
                    guard case .message(let reply) = try result.reply.get() else {
                        Issue.record("attempt \(attempt) of \(kind) got no reply"); continue
                    }
                    #expect(reply.root["Content"]?.text == "got it")
                }
            }
            #expect(fixture.app.requests.items.count == 2)
            #expect(fixture.harness.metric("wxsidecar_pushes_deduplicated_total") == 6)
        }
    }

    @Test func aStormOfRetriesAtOnceWaitsForTheFirstAndReachesTheAppOnce() async throws {
        try await withInbound { fixture in
            let release = AsyncBox<Void>()
            fixture.app.answer { _ in
                try? await release.value(timeout: .seconds(30))
                return .json(Self.replyText)
            }
            let push = try fixture.push(.text, mode: .safe)
            try await withTeardown {
                async let results = fixture.pushes.send(push, retries: PushRetries(count: 3, interval: .zero))
                // Held by the app until all four are in: one reached it, three joined it.
                _ = try await fixture.app.requests.first("the first push at the app") { _ in true }
                try await eventually("three retries joined") {
                    fixture.harness.metric("wxsidecar_pushes_deduplicated_total") == 3
                }
                release.set(())
                for result in await results {
                    guard case .message(let reply) = try result.get().reply.get() else { Issue.record("no reply"); continue }
                    #expect(reply.root["Content"]?.text == "got it")
                }
            } teardown: {
                release.set(())
            }
            #expect(fixture.app.requests.items.count == 1)
        }
    }

    @Test func aFailingAppOrANonsenseAnswerGetsSuccessAndALogLine() async throws {
        try await withInbound { fixture in
            let cases: [(answer: FakeApp.Answer, reply: String, problem: String?)] = [
                (FakeApp.Answer(status: 500, body: "boom"), "app_error", nil),
                (FakeApp.Answer(status: 404, body: "no route"), "app_error", nil),
                (.json(#"{"MsgType":"sticker"}"#), "invalid", "MsgType must be one of"),
                (.json(#"{"MsgType":"text"}"#), "invalid", "a text reply needs Content"),
                (FakeApp.Answer(body: "thanks!"), "invalid", "neither success nor"),
            ]
            for (index, testCase) in cases.enumerated() {
                fixture.app.answer { _ in testCase.answer }
                let push = try fixture.push(.text, mode: .safe)
                let result = try await fixture.pushes.send(push)
                #expect(result.status == 200)
                #expect(String(decoding: result.body, as: UTF8.self) == "success", "case \(index)")
                #expect(fixture.harness.metric("wxsidecar_push_replies_total{kind=\"\(testCase.reply)\"}") >= 1)
                let id = String(try #require(push.message.msgID))
                #expect(fixture.harness.logs.all.contains { $0.contains(id) && $0.contains("without the app's reply") }, "case \(index)")
                if let problem = testCase.problem { #expect(fixture.harness.logs.contains(problem)) }
            }
            #expect(fixture.harness.metric("wxsidecar_pushes_forwarded_total{result=\"status_5xx\"}") == 1)
            #expect(fixture.harness.metric("wxsidecar_pushes_forwarded_total{result=\"status_4xx\"}") == 1)
            // No message content in any log line.
            #expect(!fixture.harness.logs.contains("hello"))
        }
    }

    @Test func aSlowAppGetsSuccessByTheTimeoutAndALaterRetryGetsItsReply() async throws {
        try await withInbound(message: ["  reply_timeout: 0.5"]) { fixture in
            let release = AsyncBox<Void>()
            fixture.app.answer { _ in
                try? await release.value(timeout: .seconds(30))
                return .json(Self.replyText)
            }
            let push = try fixture.push(.text, mode: .safe)
            try await withTeardown {
                let started = ContinuousClock.now
                let first = try await fixture.pushes.send(push)
                let waited = ContinuousClock.now - started
                #expect(String(decoding: first.body, as: UTF8.self) == "success")
                #expect(waited >= .milliseconds(450) && waited < .seconds(3), "answered after \(waited)")
                #expect(fixture.harness.metric("wxsidecar_push_replies_total{kind=\"timeout\"}") == 1)
                // The app answers late; WeChat's retry of the same message gets that answer, without a second call.
                release.set(())
                try await eventually("the late answer") {
                    fixture.harness.metric("wxsidecar_pushes_forwarded_total{result=\"reply\"}") == 1
                }
                let retry = try await fixture.pushes.send(push)
                guard case .message(let reply) = try retry.reply.get() else { Issue.record("the retry got no reply"); return }
                #expect(reply.root["Content"]?.text == "got it")
                #expect(fixture.app.requests.items.count == 1)
            } teardown: {
                release.set(())
            }
        }
    }

    @Test func anAppThatIsDownGetsSuccessAndEveryRetryTriesAgain() async throws {
        let down = try ReservedPort()
        defer { down.release() }
        try await withInbound(forwardTo: "http://127.0.0.1:\(down.port)/wechat/message") { fixture in
            let push = try fixture.push(.text, mode: .safe)
            for _ in 1...2 {
                let result = try await fixture.pushes.send(push)
                #expect(result.status == 200)
                #expect(String(decoding: result.body, as: UTF8.self) == "success")
            }
            // Never handed over, so not deduplicated: each retry was another attempt.
            #expect(fixture.harness.metric("wxsidecar_pushes_forwarded_total{result=\"unreachable\"}") == 2)
            #expect(fixture.harness.metric("wxsidecar_pushes_deduplicated_total") == 0)
            #expect(fixture.harness.logs.contains(String(try #require(push.message.msgID))))
        }
    }
}
