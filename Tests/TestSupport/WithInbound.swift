// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Sidecar
public import WeChatEmulator
import WeChatPush

/// A sidecar with its inbound listener on, the default account taking pushes, a ``FakeApp`` behind it, and
/// WeChat's push client (``PushClient``) aimed at the account's push path.
public struct InboundFixture: Sendable {
    public let harness: SidecarHarness
    public let app: FakeApp
    public let pushes: PushClient
    public var target: PushTarget { pushes.target }

    /// The message Token and EncodingAESKey the account is configured with (the key is Tencent's sample, whose
    /// last character carries non-zero left-over bits).
    public static let token = "pushT0ken"
    public static let aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    public static let originalID = "gh_10f6c3c3ac5a"

    /// The inbound listener's base URL.
    public var inboundURL: String { "http://127.0.0.1:\(harness.inboundPort ?? 0)" }

    /// A signed push of `kind` in `mode` and `format`, from `openid`.
    public func push(
        _ kind: PushKind = .text, mode: PushMode = .safe, format: PushFormat = .xml, content: String = "hello",
        openid: String = "oUser0000000000000000000001", msgID: Int64? = nil
    ) throws -> SignedPush {
        let message = PushMessage.sample(
            kind, toUserName: Self.originalID, fromUserName: openid, content: content, msgID: msgID)
        return try SignedPush(message, for: target, mode: mode, format: format)
    }
}

/// Runs `body` against an ``InboundFixture`` and stops everything before returning.
/// - Parameters:
///   - message: more lines of the account's `message:` section (two spaces in, e.g. `"  format: xml"`).
///   - forwardTo: the app's URL; the fake app's by default.
///   - options: the harness options to start from.
public func withInbound<Result>(
    message: [String] = [], forwardTo: String? = nil, options: SidecarHarness.Options = SidecarHarness.Options(),
    _ body: (InboundFixture) async throws -> Result
) async throws -> Result {
    let app = try await FakeApp.start()
    var options = options
    options.inbound = options.inbound ?? []
    options.environment["WXSIDECAR_MESSAGE_TOKEN"] = InboundFixture.token
    options.environment["WXSIDECAR_MESSAGE_ENCODING_AES_KEY"] = InboundFixture.aesKey
    options.extraYAML += "\nmessage:\n  forward_to: \"\(forwardTo ?? app.url)\"\n" + message.map { $0 + "\n" }.joined()
    let harness: SidecarHarness
    do {
        harness = try await SidecarHarness.start(options)
    } catch {
        await app.stop()
        throw error
    }
    return try await withTeardown {
        let appid = harness.app.configuration.appid
        let target = PushTarget(
            serverURL: "http://127.0.0.1:\(harness.inboundPort ?? 0)/wechat/\(appid)", appID: appid,
            token: InboundFixture.token, aesKey: try EncodingAESKey(InboundFixture.aesKey))
        let fixture = InboundFixture(harness: harness, app: app, pushes: PushClient(target: target, http: harness.client))
        return try await body(fixture)
    } teardown: {
        await harness.stop()
        await app.stop()
    }
}
