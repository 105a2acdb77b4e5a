// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TestSupport
import WeChatEmulator
import WeChatPush

/// An account's server as the tests play it, on a real loopback port: it checks every push as a server must (the
/// `signature`, then `msg_signature`, then the envelope, all with `WeChatPush`), records what arrived, and answers
/// as ``PushReceiver/Answer`` says.
///
/// Routes: `GET /wechat/{appid}` (URL verification) and `POST /wechat/{appid}` (pushes). A push whose signatures do
/// not verify or whose envelope does not decrypt is answered 403 with the refusal's label, and recorded too.
struct PushReceiver: Sendable {
    /// The account: the client and the receiver share it.
    static let account = (appID: "wx0123456789abcdef", token: "push-token-\(UUID().uuidString.prefix(8))")
    /// WeChat's published sample key, whose last character carries non-zero trailing bits.
    static let aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

    /// How the receiver answers a push (or a verification).
    enum Answer: Sendable {
        /// `success`.
        case success
        /// An empty 200.
        case empty
        /// A plaintext passive reply in XML: `you said: <Content>`.
        case plainReply
        /// A plaintext passive reply in JSON.
        case plainJSONReply
        /// The XML reply in safe mode's envelope, signed with the token.
        case encryptedReply
        /// The envelope signed with another token: its `MsgSignature` does not verify.
        case encryptedReplyWrongSignature
        /// A body that is none of WeChat's answers.
        case garbage
        /// The given status with `success` as its body.
        case status(Int)
        /// For a verification: something other than the `echostr`.
        case wrongEcho
    }

    /// The bound port.
    let port: Int
    /// Every request that reached the routes, in arrival order.
    let received: EventLog<ReceivedRequest>

    /// Every request so far, in arrival order.
    var requests: [ReceivedRequest] { received.items }

    /// The account's server URL on this receiver.
    var url: String { "http://127.0.0.1:\(port)/wechat/\(Self.account.appID)" }

    /// The account as the push client sees it.
    static func pushTarget(url: String, withKey: Bool = true) throws -> PushTarget {
        PushTarget(
            serverURL: url, appID: account.appID, token: account.token,
            aesKey: withKey ? try EncodingAESKey(aesKey) : nil)
    }

    // MARK: - Running

    /// Runs `body` with a receiver answering `answer`, the answer held back until `holdUntil` requests have
    /// arrived when given; the server is stopped and awaited before this returns.
    static func with<Result: Sendable>(
        answer: Answer = .success, holdUntil: Int? = nil, _ body: (PushReceiver) async throws -> Result
    ) async throws -> Result {
        let received = EventLog<ReceivedRequest>()
        let cipher = PushCipher(key: try EncodingAESKey(aesKey), appID: account.appID)
        let handler = Handler(answer: answer, holdUntil: holdUntil, cipher: cipher, received: received)
        let router = Router()
        router.get("/wechat/{appid}") { request, _ in handler.verification(request) }
        router.post("/wechat/{appid}") { request, _ in try await handler.push(request) }
        var logger = Logger(label: "push-receiver")
        logger.logLevel = .critical  // stopping by cancellation logs its connections' cancellation
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw TimedOut(what: "the receiver to listen") }
            return try await body(PushReceiver(port: port, received: received))
        }
    }

    /// Runs `body` with a receiver and a push client for the account (holding the key unless `withKey` is false,
    /// signing with `token` when given instead of the account's) over a new `CurlClient`, shut down afterwards.
    static func withClient<Result: Sendable>(
        answer: Answer = .success, holdUntil: Int? = nil, withKey: Bool = true, token: String? = nil,
        timeout: Duration = .seconds(5),
        _ body: (PushReceiver, PushClient) async throws -> Result
    ) async throws -> Result {
        try await with(answer: answer, holdUntil: holdUntil) { receiver in
            let http = try CurlClient(logger: Logger(label: "push-client-test") { _ in SwiftLogNoOpLogHandler() })
            defer { http.shutdown() }
            var target = try pushTarget(url: receiver.url, withKey: withKey)
            if let token { target.token = token }
            return try await body(receiver, PushClient(target: target, http: http, timeout: timeout))
        }
    }
}
