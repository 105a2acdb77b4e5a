// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import NIOHTTP1
import SidecarCore
import WeChatAPISecurity

/// An answer the sidecar makes itself, WeChat-style: `{"errcode":N,"errmsg":"…"}` with an HTTP status.
struct SidecarAnswer: Error, Sendable {
    var status: Int
    var errcode: Int
    var errmsg: String
    /// Bounded, for logs and metrics.
    var label: String
    /// Close the connection after answering (the request body was not read).
    var closeConnection = false
    /// The whole JSON body, for an answer that carries more than `errcode` and `errmsg` (a cached ticket).
    var fullBody: String?

    var body: String { fullBody ?? WeChatErrorBody.json(errcode: errcode, errmsg: errmsg) }

    // MARK: The answers

    /// 503/85113, as Cloud Hosting answers before its token is ready.
    static let tokenNotReady = SidecarAnswer(
        status: 503, errcode: 85113, errmsg: "cloudbase_token is not ready yet, retry shortly", label: "token_not_ready")

    /// 503/-1 beyond `limits.max_concurrent_requests`.
    static func tooManyRequests(limit: Int) -> SidecarAnswer {
        SidecarAnswer(
            status: 503, errcode: -1,
            errmsg: "too many concurrent requests (limits.max_concurrent_requests is \(limit)); retry shortly",
            label: "too_many_requests")
    }

    /// 413/45002.
    static func bodyTooLarge(limit: Int) -> SidecarAnswer {
        SidecarAnswer(
            status: 413, errcode: 45002,
            errmsg: "content size out of limit: the request body is larger than limits.max_body_bytes (\(limit) bytes)",
            label: "body_too_large", closeConnection: true)
    }

    /// 503/-1 when the request bodies held by all connections would pass the body budget.
    static func bodyBudgetExhausted(budget: Int) -> SidecarAnswer {
        SidecarAnswer(
            status: 503, errcode: -1,
            errmsg: "too many request bodies in flight (more than \(budget) bytes held); retry shortly",
            label: "body_budget", closeConnection: true)
    }

    /// 408/-1 when the request head or body did not arrive within `limits.header_timeout`.
    static func requestTimeout(body: Bool) -> SidecarAnswer {
        SidecarAnswer(
            status: 408, errcode: -1,
            errmsg: body
                ? "request body not received within limits.header_timeout"
                : "request head not received within limits.header_timeout",
            label: body ? "body_timeout" : "head_timeout", closeConnection: true)
    }

    /// 400/-1: a call the account's `api_security` covers cannot be sealed (its body is not a JSON object).
    static func apiSecurityRefused(_ failure: ApiSecurityFailure) -> SidecarAnswer {
        SidecarAnswer(
            status: 400, errcode: -1, errmsg: "cannot sign and encrypt this call (api_security): \(failure.message)",
            label: "api_security_\(failure.label)")
    }

    /// 502/-1: WeChat's answer to a signed call did not verify (or open); it is not passed on.
    static func apiSecurityFailed(_ failure: ApiSecurityFailure) -> SidecarAnswer {
        SidecarAnswer(
            status: 502, errcode: -1,
            errmsg: "WeChat's answer to a signed call failed verification (\(failure.label)): \(failure.message); it was not passed on",
            label: "api_security_\(failure.label)")
    }

    /// 504/-1 when the upstream took longer than `upstream.timeout`, 502/-1 for every other transport failure.
    static func upstreamFailed(_ error: CurlError, timeout: Double) -> SidecarAnswer {
        if error.kind == .timeout {
            return SidecarAnswer(
                status: 504, errcode: -1,
                errmsg: "upstream timeout: api.weixin.qq.com did not answer within upstream.timeout (\(timeout)s)",
                label: "upstream_timeout")
        }
        return SidecarAnswer(
            status: 502, errcode: -1, errmsg: "upstream unavailable (\(error.label)): \(Printable.clip(error.description, to: 200))",
            label: "upstream_\(error.label)")
    }

    /// 400/40097 for a query parameter that is a loose spelling of `access_token` (``CredentialSpelling``).
    static func credentialParameter(_ name: Substring) -> SidecarAnswer {
        SidecarAnswer(
            status: 400, errcode: 40097,
            errmsg: "invalid args: the query parameter \"\(Printable.clip(String(name), to: 64))\" looks like access_token;"
                + " remove it (the sidecar adds the token itself; access_token= and cloudbase_access_token= are stripped)",
            label: "credential_parameter")
    }

    /// 403/40013 for a `from_appid` the sidecar does not serve: nothing is forwarded.
    static func unknownAccount(_ appid: Substring) -> SidecarAnswer {
        SidecarAnswer(
            status: 403, errcode: 40013,
            errmsg: "invalid appid: from_appid \"\(Printable.clip(String(appid), to: 64))\" is not an account this sidecar serves;"
                + " add it under accounts in the configuration or call without from_appid for the default account",
            label: "unknown_account")
    }

    /// 403/48001 for an account the caller's key is not bound to.
    static func accountNotGranted(_ appid: String) -> SidecarAnswer {
        SidecarAnswer(
            status: 403, errcode: 48001,
            errmsg: "api unauthorized: the caller key is not bound to account \(appid); send a key from that account's auth.key_file",
            label: "account_not_granted")
    }

    /// From a request-target rejection (400/403 with the rejection's errcode).
    init(_ rejection: PathRejection) {
        self.init(status: rejection.status, errcode: rejection.errcode, errmsg: rejection.message, label: rejection.label)
    }

    init(status: Int, errcode: Int, errmsg: String, label: String, closeConnection: Bool = false) {
        self.status = status
        self.errcode = errcode
        self.errmsg = errmsg
        self.label = label
        self.closeConnection = closeConnection
    }
}

extension CallOutcome {
    /// The outcome for an answer the sidecar makes itself: WeChat-style JSON.
    static func answer(_ answer: SidecarAnswer, pathLabel: String, path: String?) -> Self {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        if answer.closeConnection { headers.add(name: "Connection", value: "close") }
        return Self(
            status: answer.status, headers: headers, body: ByteBuffer(string: answer.body), pathLabel: pathLabel,
            path: path, errcode: answer.errcode, answerLabel: answer.label, closeConnection: answer.closeConnection)
    }
}
