// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import WeChatPush

/// WeChat's side of message push: sends a target's pushes to its server URL as WeChat does, reads the answers
/// (verifying and decrypting encrypted replies), retries on WeChat's schedule, and runs the `echostr` URL
/// verification. Everything goes through the given ``CurlClient``.
///
/// ```swift
/// let client = PushClient(target: target, http: curl)
/// let push = try SignedPush(.sample(.text, toUserName: "gh_…", fromUserName: "o…"), for: target, mode: .safe,
///                           format: .xml)
/// let result = try await client.send(push)
/// ```
public struct PushClient: Sendable {
    /// Where and how the pushes go.
    public let target: PushTarget
    /// How long each send waits for an answer; WeChat waits 5 s.
    public let timeout: Duration
    private let http: CurlClient

    public init(target: PushTarget, http: CurlClient, timeout: Duration = .seconds(5)) {
        self.target = target
        self.http = http
        self.timeout = timeout
    }

    // MARK: - Pushes

    /// Sends `push` once and reads the answer.
    ///
    /// - Throws: ``CurlError`` when no answer came (`.timeout` after ``timeout``, `.connect`, …).
    public func send(_ push: SignedPush) async throws(CurlError) -> PushResult {
        let response = try await http.execute(
            UpstreamRequest(
                method: "POST", url: push.url(target.serverURL), headers: [("Content-Type", push.contentType)],
                body: ByteBuffer(bytes: push.body), timeout: timeout))
        let body = Array(response.body.readableBytesView)
        return PushResult(
            status: response.status, body: body,
            reply: PushAnswer.decode(body, token: target.token, cipher: target.cipher))
    }

    /// Sends `push` once and then `retries.count` times more, unchanged, on the schedule of `retries`.
    ///
    /// - Returns: One outcome a send, in the order the sends started.
    public func send(_ push: SignedPush, retries: PushRetries) async -> [Result<PushResult, CurlError>] {
        let start = ContinuousClock.now
        return await withTaskGroup(of: (Int, Result<PushResult, CurlError>).self) { group in
            for index in 0...retries.count {
                group.addTask {
                    let offset = retries.offset(of: index)
                    if offset > .zero {
                        do {
                            try await Task.sleep(until: start + offset, clock: .continuous)
                        } catch {
                            return (index, .failure(CurlError(.cancelled, message: "cancelled before the retry")))
                        }
                    }
                    return (index, await attempt(push))
                }
            }
            var outcomes: [(Int, Result<PushResult, CurlError>)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// One send as an outcome.
    private func attempt(_ push: SignedPush) async -> Result<PushResult, CurlError> {
        do throws(CurlError) {
            return .success(try await send(push))
        } catch {
            return .failure(error)
        }
    }

    // MARK: - URL verification

    /// The `GET ?signature&timestamp&nonce&echostr` WeChat sends when the server URL is saved in the console.
    ///
    /// - Parameter echostr: What the server must answer; a random number by default, as WeChat sends.
    /// - Throws: ``CurlError`` when no answer came.
    public func verifyURL(
        echostr: String = SignedPush.randomDigits(19), timestamp: String = SignedPush.now(),
        nonce: String = SignedPush.randomDigits(10)
    ) async throws(CurlError) -> URLVerification {
        let signature = PushSignature.urlSignature(token: target.token, timestamp: timestamp, nonce: nonce)
        let url = SignedPush.url(
            target.serverURL,
            query: [("signature", signature), ("timestamp", timestamp), ("nonce", nonce), ("echostr", echostr)])
        let response = try await http.execute(UpstreamRequest(method: "GET", url: url, timeout: timeout))
        return URLVerification(echostr: echostr, status: response.status, body: Array(response.body.readableBytesView))
    }
}
