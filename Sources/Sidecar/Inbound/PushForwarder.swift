// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore

/// Hands a verified push to the app: `POST message.forward_to` through the libcurl client, with Cloud Hosting's
/// headers (`X-WX-APPID`, `X-WX-OPENID`, `X-WX-SOURCE`) and the request id. Never sends a signature, key or token.
struct PushForwarder: Sendable {
    let client: CurlClient
    let url: String
    let appid: String
    /// How long the app may take in all. Longer than the reply timeout: an answer that comes after WeChat was told
    /// `success` is kept for WeChat's retries of the message (the last one comes about 15 s after the first).
    let timeout: Duration

    /// `X-WX-SOURCE` on every forwarded push: an app can tell pushes from other callers, as on Cloud Hosting.
    static let source = "wxsidecar-push"
    /// Passive replies are small (a text reply's `Content` is at most 2,048 bytes); a larger answer is not one.
    static let largestAnswer = 16 * 1024

    /// Cloud Hosting's setup probe, the body its console sends to the container path when message push is set up;
    /// the app is expected to answer 200 `success` (``AppAnswer/noReply``).
    static let pathCheck = Array(#"{"action":"CheckContainerPath"}"#.utf8)

    /// The app's answer to `push`.
    func deliver(_ push: ReceivedPush, requestID: String) async -> AppAnswer {
        await post(push.forwarded, contentType: push.contentType, openID: push.fromUserName, requestID: requestID)
    }

    /// The app's answer to the setup probe (``pathCheck``): `wxsidecar check-push`.
    func checkPath(requestID: String) async -> AppAnswer {
        await post(Self.pathCheck, contentType: "application/json", openID: "", requestID: requestID)
    }

    private func post(_ body: [UInt8], contentType: String, openID: String, requestID: String) async -> AppAnswer {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", contentType),
            ("X-WX-APPID", appid),
            ("X-WX-SOURCE", Self.source),
            ("X-Request-Id", requestID),
        ]
        if !openID.isEmpty, openID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            headers.append(("X-WX-OPENID", openID))
        }
        let request = UpstreamRequest(
            method: "POST", url: url, headers: headers, body: ByteBuffer(bytes: body), timeout: timeout,
            connectTimeout: .seconds(2))
        let response: UpstreamResponse
        do {
            response = try await client.execute(request)
        } catch {
            switch error.kind {
            case .connect, .resolve: return .unreachable(error.label)
            default: return .failed(error.label)
            }
        }
        guard (200..<300).contains(response.status) else {
            return .failed(response.status >= 500 ? "status_5xx" : "status_4xx")
        }
        let body = Array(response.body.readableBytesView)
        guard body.count <= Self.largestAnswer else { return .failed("answer_too_large") }
        let trimmed = body.drop { Self.isSpace($0) }.reversed().drop { Self.isSpace($0) }
        if trimmed.isEmpty || trimmed.elementsEqual("success".utf8.reversed()) { return .noReply }
        return .reply(body)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
