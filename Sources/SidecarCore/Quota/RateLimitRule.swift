// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// One entry of `rate_limits`: `"/wxa/msg_sec_check 4000/minute"`. The path is exact, or a prefix when it
/// ends in `/*`, as in the whitelist; the period is `second`, `minute`, `hour` or `day`.
public struct RateLimitRule: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let limit: Int
    public let period: Double
    public let periodName: String

    /// Parses `"<path> <limit>/<period>"`; the error says what is wrong.
    public static func parse(_ text: some StringProtocol) -> Result<RateLimitRule, RateLimitRuleError> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 2 else {
            return .failure(.init("\"\(text)\" must be \"<path> <limit>/<period>\", e.g. \"/wxa/msg_sec_check 4000/minute\""))
        }
        let path = String(words[0])
        guard path.hasPrefix("/"), PathValidator.check(path: path.hasSuffix("/*") ? String(path.dropLast()) : path) == nil
        else { return .failure(.init("\"\(path)\" is not an API path like /wxa/msg_sec_check or /wxa/*")) }
        let rate = words[1].split(separator: "/", maxSplits: 1)
        guard rate.count == 2, let limit = Int(rate[0]), limit >= 1, limit <= 100_000_000 else {
            return .failure(.init("\"\(words[1])\" must be <limit>/<period> with a limit of at least 1"))
        }
        let seconds: [String: Double] = ["second": 1, "minute": 60, "hour": 3600, "day": 86_400]
        guard let period = seconds[String(rate[1])] else {
            return .failure(.init("period \"\(rate[1])\" must be second, minute, hour or day"))
        }
        return .success(RateLimitRule(path: path, limit: limit, period: period, periodName: String(rate[1])))
    }

    /// Whether the rule covers `path` (exact, or strictly below a `/*` prefix).
    public func covers(_ path: some StringProtocol) -> Bool {
        if self.path.hasSuffix("/*") {
            let prefix = self.path.dropLast()
            return path.utf8.count > prefix.utf8.count && path.utf8.starts(with: prefix.utf8)
        }
        return path.utf8.elementsEqual(self.path.utf8)
    }

    public var description: String { "\(path) \(limit)/\(periodName)" }
}

/// Why a `rate_limits` entry was refused.
public struct RateLimitRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
