// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// WeChat `errcode` values the sidecar acts on, and their classification.
///
/// WeChat reports errors in the body (`{"errcode":N,"errmsg":"..."}`), usually with HTTP 200, so callers
/// classify the body's `errcode`, not the status. Network and TLS failures have no errcode; the client layer
/// treats them as ``ErrcodeClass/transient`` itself.
public enum WeChatErrcode {
    // MARK: Codes

    /// Success.
    public static let ok = 0
    /// System busy: retry with backoff.
    public static let systemBusy = -1
    /// Credential invalid or not the latest token.
    public static let invalidCredential = 40001
    /// Bad `grant_type` in a token request.
    public static let invalidGrantType = 40002
    /// Invalid AppID.
    public static let invalidAppID = 40013
    /// Invalid access_token.
    public static let invalidAccessToken = 40014
    /// Invalid URL; the sidecar also answers it for malformed request targets.
    public static let invalidURL = 40066
    /// Invalid AppSecret.
    public static let invalidAppSecret = 40125
    /// Caller IP not on the account's IP whitelist.
    public static let ipNotInWhitelist = 40164
    /// AppSecret frozen.
    public static let appSecretFrozen = 40243
    /// access_token missing.
    public static let accessTokenMissing = 41001
    /// access_token expired.
    public static let accessTokenExpired = 42001
    /// Daily API quota reached.
    public static let dailyQuotaReached = 45009
    /// Per-minute API quota reached.
    public static let minuteQuotaReached = 45011
    /// Client IP not registered (another form of the IP whitelist error).
    public static let clientIPNotRegistered = 61004
    /// URL not in whitelist (WeChat Cloud Hosting); the sidecar answers it for refused targets.
    public static let urlNotInWhitelist = 85107
    /// cloudbase_token not ready yet (WeChat Cloud Hosting): retry shortly.
    public static let tokenNotReady = 85113
    /// Calls from this IP need an administrator's confirmation.
    public static let ipNeedsAdminConfirmation = 89503
    /// An administrator refused this IP twice in 24 hours: blocked for 24 hours.
    public static let ipRefusedTwiceIn24Hours = 89506
    /// An administrator refused this IP within an hour: blocked for 1 hour.
    public static let ipRefusedWithinAnHour = 89507

    // MARK: Classification

    /// The errcodes that mean WeChat rejected the access_token itself (``ErrcodeClass/tokenInvalid``).
    public static let tokenInvalidCodes = [invalidCredential, invalidAccessToken, accessTokenExpired]

    /// What an errcode from a token call or an API call means for the sidecar.
    public static func classify(_ errcode: Int) -> ErrcodeClass {
        switch errcode {
        case ok:
            return .ok
        case systemBusy, minuteQuotaReached:
            return .transient
        case dailyQuotaReached:
            return .quotaExhausted
        case invalidCredential, invalidAccessToken, accessTokenExpired:
            return .tokenInvalid
        case accessTokenMissing:
            return .tokenMissing
        case invalidAppID, invalidAppSecret, ipNotInWhitelist, clientIPNotRegistered, appSecretFrozen,
            ipNeedsAdminConfirmation, ipRefusedTwiceIn24Hours, ipRefusedWithinAnHour, invalidGrantType:
            return .configuration(fix: fix(for: errcode))
        default:
            return .other
        }
    }

    /// What a person should do about a configuration errcode.
    static func fix(for errcode: Int) -> String {
        switch errcode {
        case invalidAppID:
            return "the AppID is wrong: check appid in the configuration (case matters, no stray characters)"
        case invalidAppSecret:
            return "the AppSecret is wrong or was reset: put the current AppSecret in secret_file"
        case ipNotInWhitelist, clientIPNotRegistered:
            return "this host's egress IP is not on the account's IP whitelist:"
                + " add it to the IP whitelist in the WeChat admin console (development settings)"
        case appSecretFrozen:
            return "the AppSecret is frozen: unfreeze it in the WeChat admin console"
        case ipNeedsAdminConfirmation:
            return "an administrator must confirm calls from this IP: confirm the prompt in the admin's WeChat,"
                + " or add this host's egress IP to the IP whitelist in the WeChat admin console"
        case ipRefusedTwiceIn24Hours:
            return "an administrator refused calls from this IP twice in 24 hours, so it is blocked for 24 hours:"
                + " add this host's egress IP to the IP whitelist in the WeChat admin console"
        case ipRefusedWithinAnHour:
            return "an administrator refused calls from this IP, so it is blocked for 1 hour:"
                + " add this host's egress IP to the IP whitelist in the WeChat admin console"
        case invalidGrantType:
            return "WeChat rejected the grant_type of the token request: this is a wxsidecar bug, please report it"
        default:
            return "see the errmsg"
        }
    }

    // MARK: errmsg details

    /// The caller IP WeChat names in a 40164 errmsg (`invalid ip 203.0.113.7 ipv6 ::ffff:..., not in
    /// whitelist`), so a message can say which IP to add. `nil` if the errmsg does not name one.
    public static func callerIP(inErrmsg errmsg: String) -> Substring? {
        let marker = Array("invalid ip ".utf8)
        let bytes = errmsg.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index...].starts(with: marker) {
                let start = bytes.index(index, offsetBy: marker.count)
                let end =
                    bytes[start...].firstIndex { !(ByteClass.isHostByte($0) || $0 == ByteClass.colon) }
                    ?? bytes.endIndex
                return start < end ? errmsg[start..<end] : nil
            }
            index = bytes.index(after: index)
        }
        return nil
    }
}
