// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import SidecarCore

/// Forwards one WeChat API call: validates the raw target, checks the whitelist, appends the token,
/// sends it through libcurl, and retries once with a fresh token when WeChat says the token is no good.
struct ProxyForwarder: Sendable {
    /// What the forwarder needs from the configuration.
    struct Settings: Sendable {
        var baseURL: String
        var timeout: Double
        var maxBodyBytes: Int
        var allowedHosts: AllowedHosts = .weChatAPI
        /// `auth.header` when callers must send a key: stripped before forwarding.
        var callerKeyHeader: String?
    }

    /// The outcome of one call, for the response, the access log and the metrics.
    struct Outcome: Sendable {
        var status: Int
        var headers: HTTPFields
        var body: ByteBuffer
        /// The whitelist entry the path matched, or `denied` / `invalid`: a bounded metric label.
        var pathLabel: String
        /// The path as sent, when it passed validation (safe to log).
        var path: String?
        /// WeChat's errcode when its answer was JSON, or the sidecar's own errcode.
        var errcode: Int?
        /// Why the sidecar answered itself, if it did.
        var answerLabel: String?
        var retriedWithNewToken = false
        var closeConnection = false
    }

    let settings: Settings
    let client: CurlClient
    let tokens: TokenState
    let refresher: TokenRefresher
    let whitelist: WhitelistStore
    let quota: QuotaGuard
    let metrics: SidecarMetrics

    // MARK: Handling

    func handle(_ request: inout Request, rawTarget: String) async -> Outcome {
        let target: RequestTarget
        switch RequestTarget.parse(method: request.method.rawValue, target: rawTarget, allowedHosts: settings.allowedHosts) {
        case .failure(let rejection): return answer(SidecarAnswer(rejection), pathLabel: "invalid", path: nil)
        case .success(let parsed): target = parsed
        }
        let path = String(target.path)
        let pathLabel: String
        switch self.whitelist.whitelist.admit(target) {
        case .failure(let rejection): return answer(SidecarAnswer(rejection), pathLabel: "denied", path: path)
        case .success(let entry): pathLabel = entry
        }
        if let refusal = quota.admit(target.path) {
            return answer(refusal, pathLabel: pathLabel, path: path)
        }
        guard let token = tokens.validToken() else {
            return answer(.tokenNotReady, pathLabel: pathLabel, path: path)
        }
        let body: ByteBuffer?
        do {
            body = try await collectBody(&request)
        } catch {
            return answer(error, pathLabel: pathLabel, path: path)
        }
        let headers = HeaderFilter.forwardedRequestHeaders(request.headers, callerKeyHeader: settings.callerKeyHeader)
        var outcome = await forward(request.method.rawValue, target, token: token, headers: headers, body: body)
        if TokenErrorDetector.isTokenError(outcome.errcode) {
            metrics.upstreamErrors("token_invalid").increment()
            if let fresh = await refresher.recover(from: token.value) {
                outcome = await forward(request.method.rawValue, target, token: fresh, headers: headers, body: body)
                outcome.retriedWithNewToken = true
            }
        }
        outcome.pathLabel = pathLabel
        outcome.path = path
        return outcome
    }

    // MARK: Steps

    private func collectBody(_ request: inout Request) async throws(SidecarAnswer) -> ByteBuffer? {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > settings.maxBodyBytes {
            throw .bodyTooLarge(limit: settings.maxBodyBytes)
        }
        do {
            let buffer = try await request.collectBody(upTo: settings.maxBodyBytes)
            return buffer.readableBytes == 0 && request.headers[.contentLength] == nil
                && request.headers[.transferEncoding] == nil ? nil : buffer
        } catch {
            throw .bodyTooLarge(limit: settings.maxBodyBytes)
        }
    }

    private func forward(
        _ method: String, _ target: RequestTarget, token: AccessToken, headers: [(name: String, value: String)],
        body: ByteBuffer?
    ) async -> Outcome {
        let upstream = UpstreamRequest(
            method: method,
            url: QueryRewriter.upstreamURL(base: settings.baseURL, for: target, token: token.value),
            headers: headers, body: body,
            timeout: .milliseconds(Int64(settings.timeout * 1000)),
            connectTimeout: .milliseconds(Int64(min(settings.timeout, 5) * 1000)))
        do {
            let response = try await client.execute(upstream)
            let contentType = HeaderFilter.firstValue(of: "content-type", in: response.headers)
            return Outcome(
                status: response.status, headers: HeaderFilter.returnedResponseHeaders(response.headers),
                body: response.body, pathLabel: "", path: nil,
                errcode: TokenErrorDetector.errcode(contentType: contentType, body: response.body))
        } catch {
            metrics.upstreamErrors(error.label).increment()
            return answer(.upstreamFailed(error, timeout: settings.timeout), pathLabel: "", path: nil)
        }
    }

    /// An outcome for an answer the sidecar makes itself.
    func answer(_ answer: SidecarAnswer, pathLabel: String, path: String?) -> Outcome {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if answer.closeConnection { headers[.connection] = "close" }
        return Outcome(
            status: answer.status, headers: headers, body: ByteBuffer(string: answer.body), pathLabel: pathLabel,
            path: path, errcode: answer.errcode, answerLabel: answer.label, closeConnection: answer.closeConnection)
    }
}
