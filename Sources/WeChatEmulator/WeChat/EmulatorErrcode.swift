// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// A WeChat error as the emulator answers it: HTTP 200 with `{"errcode":N,"errmsg":"..."}`.
///
/// The emulator appends ` rid: <request id>` to catalogue messages, as the real platform does, so callers must
/// classify by `errcode`, never by the exact `errmsg`.
public struct EmulatorErrcode: Error, Sendable, Hashable {
    /// The errcode.
    public var code: Int
    /// The errmsg, without the ` rid: ...` suffix.
    public var message: String

    /// Creates an error with an explicit message.
    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// Creates an error with the catalogue message for `code` (or "emulated error N" if it has none).
    public init(code: Int) {
        self.init(code: code, message: Self.catalogue[code] ?? "emulated error \(code)")
    }

    // MARK: Catalogue

    /// -1: system busy.
    public static let systemBusy = Self(code: -1)
    /// 40001: unknown, invalidated or superseded token.
    public static let invalidCredential = Self(code: 40001)
    /// 40002: bad grant_type.
    public static let invalidGrantType = Self(code: 40002)
    /// 40003: bad openid.
    public static let invalidOpenID = Self(code: 40003)
    /// 40013: wrong appid.
    public static let invalidAppID = Self(code: 40013)
    /// 40097: invalid arguments.
    public static let invalidArgs = Self(code: 40097)
    /// 40125: wrong secret.
    public static let invalidAppSecret = Self(code: 40125)
    /// 40159: missing or too long `path`.
    public static let invalidPath = Self(code: 40159)
    /// 41001: no access_token parameter.
    public static let accessTokenMissing = Self(code: 41001)
    /// 41002: no appid.
    public static let appIDMissing = Self(code: 41002)
    /// 41004: no secret.
    public static let appSecretMissing = Self(code: 41004)
    /// 42001: token past its natural expiry.
    public static let accessTokenExpired = Self(code: 42001)
    /// 43002 for an endpoint that wants GET.
    public static let requireGET = Self(code: 43002, message: "require GET method")
    /// 43002 for an endpoint that wants POST.
    public static let requirePOST = Self(code: 43002, message: "require POST method")
    /// 45002: content too long.
    public static let contentTooLong = Self(code: 45002)
    /// 45009: daily quota reached (also: more than 20 forced stable refreshes a day).
    public static let dailyQuota = Self(code: 45009)
    /// 47001: body is not the expected JSON.
    public static let dataFormat = Self(code: 47001)
    /// `rid/get`: no such rid.
    public static let ridNotFound = Self(code: 76001)
    /// `rid/get`: the rid is empty or malformed.
    public static let ridInvalid = Self(code: 76002)

    /// Messages for the codes the emulator knows.
    static let catalogue: [Int: String] = [
        -1: "system error",
        40001: "invalid credential, access_token is invalid or not latest",
        40002: "invalid grant_type",
        40003: "invalid openid",
        40013: "invalid appid",
        40014: "invalid access_token",
        40097: "invalid args",
        40125: "invalid appsecret",
        40159: "invalid length for path, or the data is not json string",
        40164: "invalid ip 1.2.3.4, not in whitelist",
        40243: "AppSecret已被冻结，请登录MP解冻后再次调用。",
        41001: "access_token missing",
        41002: "appid missing",
        41004: "appsecret missing",
        42001: "access_token expired",
        43002: "require POST method",
        45002: "content size out of limit",
        76001: "rid not found",
        76002: "rid is error",
        45009: "reach max api daily quota limit",
        45011: "api minute-quota reach limit  mustslower  retry next minute",
        47001: "data format error",
        61004: "access clientip is not registered",
        85107: "url not in whitelist",
    ]
}
