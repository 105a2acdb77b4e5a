// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// Durations in seconds: "10", "10s", "10m", "1h30m" (see ``DurationParser``).
enum Seconds {
    static func parse(_ text: String) -> Double? {
        guard case .success(let duration) = DurationParser.parse(text) else { return nil }
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// `token.file_mode`: octal permission bits as text ("0640", "640", "0o640").
enum FileModeParser {
    /// The bits, or `nil` unless they are octal, at most 0777, let the owner read and write, and keep
    /// others from writing.
    static func parse(_ text: String) -> UInt32? {
        var digits = Substring(text)
        if digits.hasPrefix("0o") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 4, let bits = UInt32(digits, radix: 8), bits <= 0o777 else {
            return nil
        }
        guard bits & 0o600 == 0o600, bits & 0o002 == 0 else { return nil }
        return bits
    }

    /// "0640".
    static func format(_ bits: UInt32) -> String {
        let octal = String(bits, radix: 8)
        return String(repeating: "0", count: max(0, 4 - octal.count)) + octal
    }
}

/// `upstream.base_url`.
enum UpstreamURL {
    /// `https://host[:port]` without a trailing slash, or `nil` unless the text is an http(s) URL with a host
    /// and nothing after it.
    static func normalizedBase(_ text: String) -> String? {
        var url = Substring(text)
        while url.hasSuffix("/") { url = url.dropLast() }
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = url.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = url.dropFirst(7)
        } else {
            return nil
        }
        guard !rest.isEmpty,
            rest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]".contains($0)) })
        else { return nil }
        return String(url)
    }
}
