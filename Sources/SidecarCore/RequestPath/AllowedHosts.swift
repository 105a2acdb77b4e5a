// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The host names an absolute-form request target may name (`GET http://api.weixin.qq.com/... HTTP/1.1`).
///
/// Only WeChat API hosts belong here: the set says which URLs the sidecar answers for when used as an HTTP
/// proxy, never where it connects (it always connects to its configured upstream). Names compare
/// ASCII-case-insensitively and exactly otherwise: `api.weixin.qq.com.evil.com` and a trailing-dot
/// `api.weixin.qq.com.` do not match.
public struct AllowedHosts: Sendable, Hashable, CustomStringConvertible {
    /// The allowed names, ASCII-lowercased, in the order given, without duplicates.
    public let names: [String]

    /// The allowed names; compared case-insensitively.
    public init(_ names: some Sequence<String>) {
        var seen: Set<String> = []
        var list: [String] = []
        for name in names {
            let lowered = String(decoding: name.utf8.map(ByteClass.lowercased), as: UTF8.self)
            if seen.insert(lowered).inserted { list.append(lowered) }
        }
        self.names = list
    }

    /// `api.weixin.qq.com` only: what WeChat Cloud Hosting apps call.
    public static let weChatAPI = AllowedHosts(["api.weixin.qq.com"])

    /// Whether `host` (without port) is one of ``names``, ignoring ASCII case.
    public func contains(_ host: some StringProtocol) -> Bool {
        names.contains { ByteClass.equalsIgnoringASCIICase($0.utf8, host.utf8) }
    }

    public var description: String { names.joined(separator: ", ") }
}
