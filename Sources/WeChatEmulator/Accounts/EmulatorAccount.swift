// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// One WeChat account the emulator serves: the token endpoints accept `appid` with `secret`, and every token
/// and ticket they hand out belongs to that appid alone.
public struct EmulatorAccount: Sendable, Hashable {
    /// The AppID.
    public var appid: String
    /// The AppSecret. Never logged.
    public var secret: String

    /// Creates an account.
    public init(appid: String, secret: String) {
        self.appid = appid
        self.secret = secret
    }
}
