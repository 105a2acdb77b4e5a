// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import SidecarCore

/// The route table of the inbound listener: one line per account, its `message.path`. Nothing else is served
/// there: no API path, no admin endpoint, no token.
struct InboundEndpoints: Sendable {
    let byPath: [String: PushAccount]

    init(_ accounts: [PushAccount]) {
        byPath = Dictionary(accounts.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// What serves the raw `target`.
    enum Dispatch {
        case push(PushAccount)
        case answer(CallOutcome)
    }

    func dispatch(target: String) -> Dispatch {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        if let account = byPath[path] { return .push(account) }
        let body = WeChatErrorBody.json(errcode: 404, errmsg: "not a push path: this listener serves only WeChat's message pushes")
        var outcome = CallOutcome(
            status: 404, headers: ["Content-Type": "application/json; charset=utf-8"], body: ByteBuffer(string: body),
            pathLabel: "push", path: nil)
        outcome.answerLabel = "not_a_push_path"
        return .answer(outcome)
    }
}
