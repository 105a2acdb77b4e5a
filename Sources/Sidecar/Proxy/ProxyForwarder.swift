// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import SidecarCore
import WeChatAPISecurity

/// What every API call shares: the settings, the way to WeChat (``UpstreamRoutes``), the token, the whitelist, the quota, the metrics
/// and the redactor, with the call's rules as functions of them: ``admit(method:rawTarget:headers:)`` checks a
/// request head, ``upstreamRequest(_:base:token:body:)`` builds what libcurl sends, ``outcome(of:for:from:)`` reads
/// what comes back. It holds no state of any call: ``ProxyCall`` owns one call's life.
struct ProxyForwarder: Sendable {
    /// What the forwarder needs from the configuration.
    struct Settings: Sendable {
        var timeout: Double
        var maxBodyBytes: Int
        var allowedHosts: AllowedHosts = .weChatAPI
        /// `auth.header` when callers must send a key: stripped before forwarding.
        var callerKeyHeader: String?
    }

    /// A call that passed every check: what to send once its body is in.
    ///
    /// A class: the call's state machine holds it in each of its states and hands it to every transfer, and a
    /// reference is one retain where a struct of strings, headers and the account was a dozen (BENCHMARKS.md,
    /// session 8).
    final class Call: Sendable {
        let method: String
        let target: RequestTarget
        /// The whitelist entry the path matched: a bounded metric label.
        let pathLabel: String
        /// The path as sent (safe to log).
        let path: String
        let token: AccessToken
        let headers: [(name: String, value: String)]
        /// The account the call runs as (`from_appid`, else the default): its token, recovery and metrics.
        let account: ServedAccount
        /// Set when the account's `api_security.paths` cover the path: the request is sealed and signed, the
        /// answer verified and opened.
        let security: ApiCaller?

        init(
            method: String, target: RequestTarget, pathLabel: String, path: String, token: AccessToken,
            headers: [(name: String, value: String)], account: ServedAccount, security: ApiCaller?
        ) {
            self.method = method
            self.target = target
            self.pathLabel = pathLabel
            self.path = path
            self.token = token
            self.headers = headers
            self.account = account
            self.security = security
        }
    }

    /// What to do with a request head.
    enum Admission: Sendable {
        case forward(Call)
        case answer(CallOutcome)
    }

    let settings: Settings
    /// The base URLs (with their fallback) and the proxy; the libcurl client behind them.
    let routes: UpstreamRoutes
    /// Every account; a call runs as the one its `from_appid` names, else the default.
    let accounts: AccountDirectory
    let metrics: SidecarMetrics
    /// Removes the token (and any secret) from every answer before a caller sees it.
    let redactor: Redactor

    // MARK: Admission

    /// Checks a request head: target, account (and whether the caller's key may use it), whitelist, quota, token
    /// and declared body size.
    /// - Parameter grant: the accounts the caller's key may use (`nil`: every account).
    func admit(method: String, rawTarget: String, headers: HTTPHeaders, grant: Set<String>? = nil) -> Admission {
        let target: RequestTarget
        switch RequestTarget.parse(method: method, target: rawTarget, allowedHosts: settings.allowedHosts) {
        case .failure(let rejection): return .answer(answer(SidecarAnswer(rejection), pathLabel: "invalid", path: nil))
        case .success(let parsed): target = parsed
        }
        let path = String(target.path)
        if let name = CredentialSpelling.looseCredentialName(in: target.query) {
            return .answer(answer(.credentialParameter(name), pathLabel: "invalid", path: path))
        }
        let account: ServedAccount
        switch accounts.choose(appid: QueryRewriter.fromAppid(in: target.query), grant: grant) {
        case .success(let chosen): account = chosen
        case .failure(let refusal): return .answer(answer(refusal, pathLabel: "denied", path: path))
        }
        let pathLabel: String
        switch account.whitelist.paths.match(target.path) {
        case .failure(let rejection): return .answer(answer(SidecarAnswer(rejection), pathLabel: "denied", path: path, appid: account.appid))
        case .success(let entry): pathLabel = entry
        }
        if let cached = TicketAnswer.answer(method: method, target: target, tickets: account.tickets) {
            return .answer(answer(cached, pathLabel: pathLabel, path: path, appid: account.appid))
        }
        if let refusal = account.quota.spend(on: target.path) {
            return .answer(answer(refusal, pathLabel: pathLabel, path: path, appid: account.appid))
        }
        guard let token = account.tokens.validToken() else {
            return .answer(answer(.tokenNotReady, pathLabel: pathLabel, path: path, appid: account.appid))
        }
        if let declared = headers.first(name: "content-length").flatMap(Int.init), declared > settings.maxBodyBytes {
            return .answer(answer(.bodyTooLarge(limit: settings.maxBodyBytes), pathLabel: pathLabel, path: path, appid: account.appid))
        }
        var security: ApiCaller?
        if let secured = account.configuration.apiSecurity, case .success = secured.paths.match(target.path) {
            security = secured.caller
        }
        return .forward(Call(
            method: method, target: target, pathLabel: pathLabel, path: path, token: token,
            headers: HeaderFilter.forwardedRequestHeaders(headers, callerKeyHeader: settings.callerKeyHeader),
            account: account, security: security))
    }

    // MARK: Sending

    /// Sends `call` with `token` and `body`, its answer to `consumer`: on the first upstream URL, or on the next when
    /// that one could not be reached; or the answer that refuses a secured call's body.
    func send(
        _ call: Call, token: AccessToken, body: ByteBuffer?, consumer: any UpstreamResponseConsumer
    ) -> Result<UpstreamTransfer, SidecarAnswer> {
        do throws(SidecarAnswer) {
            let build = { @Sendable (base: String) throws(SidecarAnswer) -> UpstreamRequest in
                try upstreamRequest(call, base: base, token: token, body: body).get()
            }
            return .success(try routes.stream(build, consumer: consumer))
        } catch {
            return .failure(error)
        }
    }

    /// What libcurl sends for `call` with `token` to the upstream at `base`: the same method, the rewritten URL,
    /// the forwarded headers; for a secured call, the body sealed and signed for that URL (``ApiCallSealing``), or
    /// the answer that refuses it.
    func upstreamRequest(
        _ call: Call, base: String, token: AccessToken, body: ByteBuffer?
    ) -> Result<UpstreamRequest, SidecarAnswer> {
        var request = routes.request(
            call.method, QueryRewriter.upstreamURL(base: base, for: call.target, token: token.value),
            headers: call.headers, body: body)
        if let security = call.security {
            switch ApiCallSealing.seal(&request, call: call, security: security, urlPath: base + call.path) {
            case .success: break
            case .failure(let refusal):
                metrics.apiSecurityFailures(appid: call.account.appid, reason: refusal.label).increment()
                return .failure(.apiSecurityRefused(refusal))
            }
        }
        return .success(request)
    }

    /// The outcome of one transfer for `call` to the upstream at `base`: WeChat's answer (scrubbed of the token;
    /// a secured call's verified and opened) or the sidecar's error answer.
    func outcome(of result: Result<UpstreamResponse, CurlError>, for call: Call, from base: String) -> CallOutcome {
        switch result {
        case .success(var response):
            if let security = call.security {
                switch ApiCallSealing.open(&response, security: security, urlPath: base + call.path) {
                case .success: break
                case .failure(let failure):
                    metrics.apiSecurityFailures(appid: call.account.appid, reason: failure.label).increment()
                    return answer(.apiSecurityFailed(failure), pathLabel: call.pathLabel, path: call.path, appid: call.account.appid)
                }
            }
            let contentType = response.firstHeaderValue("content-type")
            let (fields, body) = scrubbed(
                HeaderFilter.returnedResponseFields(of: response.headerBlock), response.body, contentType: contentType)
            return CallOutcome(
                status: response.status, fields: fields, body: body, pathLabel: call.pathLabel, path: call.path,
                contentType: contentType, upstreamBody: response.body, appid: call.account.appid)
        case .failure(let error):
            if error.kind == .cancelled {
                metrics.upstreamCancelled.increment()
            } else {
                metrics.upstreamErrors(error.label).increment()
            }
            var failed = SidecarAnswer.upstreamFailed(error, timeout: settings.timeout)
            failed.errmsg = redactor.redact(failed.errmsg)
            return answer(failed, pathLabel: call.pathLabel, path: call.path, appid: call.account.appid)
        }
    }

    /// The head of a streamed (binary) answer: status and returned headers, scrubbed; the body follows in parts.
    func streamedOutcome(_ head: UpstreamResponseHead, for call: Call) -> CallOutcome {
        let (fields, _) = scrubbed(
            HeaderFilter.returnedResponseFields(of: head.headerBlock), ByteBuffer(), contentType: "application/octet-stream")
        return CallOutcome(
            status: head.status, fields: fields, body: ByteBuffer(), pathLabel: call.pathLabel, path: call.path,
            contentType: nil, upstreamBody: nil, appid: call.account.appid)
    }

    func answer(_ answer: SidecarAnswer, pathLabel: String, path: String?, appid: String? = nil) -> CallOutcome {
        var outcome = CallOutcome.answer(answer, pathLabel: pathLabel, path: path)
        outcome.appid = appid
        return outcome
    }

    // MARK: Scrubbing

    /// The answer's fields and body with the sidecar's tokens (and any secret) replaced: an API may echo the
    /// request URL the sidecar built. The fields are always checked; the body unless it is binary by its MIME type.
    private func scrubbed(
        _ fields: ByteBuffer, _ body: ByteBuffer, contentType: String?
    ) -> (ByteBuffer, ByteBuffer) {
        let needles = redactor.needles()
        var fields = fields
        var body = body
        var found = false
        if let clean = needles.scrub(fields) {
            fields = clean
            found = true
        }
        if !AnswerKind.isBinary(contentType: contentType), let clean = needles.scrub(body) {
            body = clean
            found = true
        }
        if found { metrics.answersScrubbed.increment() }
        return (fields, body)
    }
}
