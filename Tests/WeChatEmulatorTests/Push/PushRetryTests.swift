// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing
import WeChatEmulator
import WeChatPush

/// WeChat's retries: the same push again, unchanged.
@Suite("Push retries")
struct PushRetryTests {
    @Test("retries spaced by the interval arrive with the same body, query and MsgId", arguments: PushMode.allCases)
    func spaced(mode: PushMode) async throws {
        try await PushReceiver.withClient { receiver, client in
            let message = PushMessage.sample(.text, toUserName: "gh_0123456789ab", fromUserName: "oUser")
            let push = try SignedPush(message, for: client.target, mode: mode, format: .xml)
            let start = ContinuousClock.now
            let outcomes = await client.send(push, retries: PushRetries(count: 3, interval: .milliseconds(40)))
            #expect(ContinuousClock.now - start >= .milliseconds(120))
            #expect(outcomes.count == 4)
            #expect(outcomes.allSatisfy { (try? $0.get().isAccepted) == true })
            try expectIdentical(receiver.requests, count: 4, msgID: message.msgID)
        }
    }

    @Test("retries with no interval are sent all at once: all four are in flight together")
    func concurrent() async throws {
        // The receiver answers none until all four have arrived: sends one after another would time out.
        try await PushReceiver.withClient(holdUntil: 4) { receiver, client in
            let message = PushMessage.sample(.image, toUserName: "gh_0123456789ab", fromUserName: "oUser")
            let push = try SignedPush(message, for: client.target, mode: .safe, format: .json)
            let outcomes = await client.send(push, retries: PushRetries(count: 3, interval: .zero))
            #expect(outcomes.count == 4)
            #expect(outcomes.allSatisfy { (try? $0.get().isAccepted) == true })
            try expectIdentical(receiver.requests, count: 4, msgID: message.msgID)
        }
    }

    @Test("an event's retries are identical too (events are deduplicated by FromUserName and CreateTime)")
    func event() async throws {
        try await PushReceiver.withClient { receiver, client in
            let message = PushMessage.sample(.click, toUserName: "gh_0123456789ab", fromUserName: "oUser")
            let push = try SignedPush(message, for: client.target, mode: .compatible, format: .xml)
            _ = await client.send(push, retries: PushRetries(count: 2, interval: .zero))
            try expectIdentical(receiver.requests, count: 3, msgID: nil)
        }
    }

    private func expectIdentical(_ pushes: [ReceivedRequest], count: Int, msgID: Int64?) throws {
        #expect(pushes.count == count)
        let first = try #require(pushes.first)
        for push in pushes {
            #expect(push.refusal == nil)
            #expect(push.body == first.body)
            #expect(push.query.map(\.value) == first.query.map(\.value))
            #expect(push.fieldsByName == first.fieldsByName)
            #expect(push.fieldsByName["MsgId"] == msgID.map { .number(String($0)) })
        }
    }
}
