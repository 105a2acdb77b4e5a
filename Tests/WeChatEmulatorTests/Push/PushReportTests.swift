// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Testing
import WeChatEmulator
import WeChatPush

/// What `wxsidecar emulate push` prints for each send.
@Suite("Push report")
struct PushReportTests {
    @Test("no reply, a reply's elements, an error, no answer")
    func lines() {
        let none = PushResult(status: 200, body: Array("success".utf8), reply: .success(.none))
        #expect(PushReport.describe(.success(none), index: 0, count: 2) == "push 1/2: HTTP 200, no reply (success)")

        let root = PushXMLElement(
            name: "xml",
            children: [
                PushXMLElement(name: "MsgType", text: "text"), PushXMLElement(name: "Content", text: "you said: hi"),
            ])
        let reply = PushResult(
            status: 200, body: [], reply: .success(.message(PushReplyMessage(body: [], root: root, wasEncrypted: true))))
        #expect(
            PushReport.describe(.success(reply), index: 1, count: 2)
                == "push 2/2: HTTP 200, encrypted reply, MsgSignature verified:\n  MsgType: text\n  Content: you said: hi")

        let forged = PushResult(status: 200, body: Array("<xml/>".utf8), reply: .failure(.badReplySignature))
        #expect(PushReport.describe(.success(forged), index: 0, count: 1).hasPrefix("push 1/1: HTTP 200, bad_reply_signature:"))
        #expect(PushReport.isFailure(.success(forged)))

        let timeout = CurlError(.timeout, message: "no answer in 5 s")
        #expect(PushReport.describe(.failure(timeout), index: 0, count: 1) == "push 1/1: no answer (timeout: no answer in 5 s)")
        #expect(PushReport.isFailure(.failure(timeout)))
        #expect(!PushReport.isFailure(.success(none)))
    }
}
