// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// Why a token fetch failed, with a bounded ``label`` for metrics, the retry ``pace`` and a message that says
/// what to fix. Never contains the AppSecret.
public struct TokenFetchError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request did not complete: connect, DNS, TLS, timeout, reset (``CurlError/label``).
        case transport(String)
        /// An HTTP status other than 200.
        case httpStatus(Int)
        /// WeChat answered with a non-zero errcode.
        case errcode(Int)
        /// HTTP 200 but neither a token nor an errcode.
        case malformedAnswer
    }

    public var kind: Kind
    /// What happened, for people: includes WeChat's errmsg (which names the caller's IP on 40164) and the fix.
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// A short label usable as a metric label: `transport_timeout`, `http_503`, `errcode_40164`, `malformed`.
    public var label: String {
        switch kind {
        case .transport(let curlLabel): "transport_\(curlLabel)"
        case .httpStatus(let status): status >= 500 ? "http_5xx" : "http_\(status)"
        case .errcode(let code): WeChatErrcode.classify(code) == .other ? "errcode_other" : "errcode_\(code)"
        case .malformedAnswer: "malformed"
        }
    }

    /// Transient failures are retried fast; configuration errors and exhausted quota slowly.
    public var pace: RetryPace {
        switch kind {
        case .transport, .malformedAnswer: .fast
        case .httpStatus(let status): status >= 500 || status == 429 ? .fast : .slow
        case .errcode(let code): WeChatErrcode.classify(code) == .transient ? .fast : .slow
        }
    }

    /// Whether an operator must change something (appid, secret, IP whitelist) before this can succeed.
    public var isConfigurationError: Bool {
        if case .errcode(let code) = kind, case .configuration = WeChatErrcode.classify(code) { return true }
        return false
    }

    public var description: String { message }
}
