// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What a WeChat `errcode` means for the sidecar; see ``WeChatErrcode/classify(_:)``.
public enum ErrcodeClass: Sendable, Hashable, CustomStringConvertible {
    /// 0: success.
    case ok
    /// -1 (system busy), 45011 (per-minute quota); also network and TLS errors: retry with backoff.
    case transient
    /// 40013, 40125, 40164, 61004, 40243, 89503, 89506, 89507, 40002: a person must act; report the fix and
    /// do not hammer the endpoint.
    case configuration(fix: String)
    /// 45009: the daily quota is used up; back off for long and report.
    case quotaExhausted
    /// 40001, 40014, 42001 on an API call: the token is invalid; refresh it and retry the call once.
    case tokenInvalid
    /// 41001: the upstream request had no access_token, which is a sidecar bug.
    case tokenMissing
    /// Anything else: an answer for the caller, passed through untouched.
    case other

    // MARK: Labels

    /// A short, bounded label for metrics, e.g. `"configuration"`.
    public var label: String {
        switch self {
        case .ok: "ok"
        case .transient: "transient"
        case .configuration: "configuration"
        case .quotaExhausted: "quota_exhausted"
        case .tokenInvalid: "token_invalid"
        case .tokenMissing: "token_missing"
        case .other: "other"
        }
    }

    /// What to do about it, for logs and the status page; `nil` for ``ok`` and ``other``.
    public var advice: String? {
        switch self {
        case .ok, .other:
            nil
        case .transient:
            "WeChat is busy or rate-limiting: retrying with backoff"
        case .configuration(let fix):
            fix
        case .quotaExhausted:
            "the daily API quota is used up: wait for it to reset at midnight (Beijing time),"
                + " or reset it in the WeChat admin console (or with /cgi-bin/clear_quota)"
        case .tokenInvalid:
            "WeChat rejected the access_token: refreshing it and retrying the call once"
        case .tokenMissing:
            "the upstream request carried no access_token: this is a wxsidecar bug, please report it"
        }
    }

    public var description: String {
        guard let advice else { return label }
        return label + ": " + advice
    }
}
