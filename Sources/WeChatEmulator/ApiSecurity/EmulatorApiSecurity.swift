// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import WeChatAPISecurity

/// One account's API security as the emulator plays WeChat's side of it: every call to a ``requiredPaths`` path
/// must come signed and encrypted (else 40230/40234/40240/40235), and any call that comes signed is opened; the
/// answers to those calls are sealed and signed with the platform key.
public struct EmulatorApiSecurity: Sendable, Hashable {
    public let platform: ApiPlatform
    /// Paths that must be called signed (exact paths).
    public var requiredPaths: Set<String>

    public init(platform: ApiPlatform, requiredPaths: Set<String>) {
        self.platform = platform
        self.requiredPaths = requiredPaths
    }

    public var appid: String { platform.appid }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.appid == rhs.appid && lhs.platform.platformKey.sn == rhs.platform.platformKey.sn
            && lhs.requiredPaths == rhs.requiredPaths
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(appid)
        hasher.combine(requiredPaths)
    }
}
