// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The set of API paths the sidecar forwards, as kept in the WeChat Cloud Hosting console.
///
/// Two kinds of entry:
/// - exact, `/wxa/msg_sec_check`: allows that path only;
/// - prefix, `/wxa/*`: allows every path strictly below `/wxa/` (`/wxa/x`, `/wxa/x/y`), not `/wxa` or `/wxa/`
///   themselves and not `/wxaa/x`; `/*` allows every path but `/`.
///
/// Matching is byte-exact and case-sensitive, and allocates nothing: exact entries are binary-searched by
/// their UTF-8 bytes, prefixes compared byte by byte. `/cgi-bin/token` and `/cgi-bin/stable_token` are never
/// allowed whatever the entries say (see ``isTokenEndpoint(_:)``).
///
/// Match only paths that ``PathValidator`` accepted (the `authorize` overload taking a ``RequestTarget`` ensures it):
/// the whitelist does not re-check them, so `/tcb/../cgi-bin/x` would pass a `/tcb/*` entry on its own.
public struct PathWhitelist: Sendable, Hashable {
    /// Exact entries, unique, sorted by UTF-8 bytes.
    let exactPaths: [String]
    /// Prefix entries without the `*` (each ends in `/`), unique, sorted by UTF-8 bytes.
    let prefixes: [String]

    /// A whitelist from validated entries. Use ``parse(_:)`` for a file.
    init(exactPaths: some Sequence<String>, prefixes: some Sequence<String>) {
        self.exactPaths = Self.sortedUnique(exactPaths)
        self.prefixes = Self.sortedUnique(prefixes)
    }

    /// A whitelist that allows nothing.
    public static let empty = PathWhitelist(exactPaths: [], prefixes: [])

    // MARK: Parsing

    /// Parses a whitelist file; see ``WhitelistParser`` for the format. The error names the first bad line.
    public static func parse(_ text: String) -> Result<ParsedWhitelist, WhitelistError> {
        WhitelistParser.parse(text)
    }

    // MARK: Inspection

    /// The number of distinct entries (duplicates in the file count once).
    public var entryCount: Int { exactPaths.count + prefixes.count }

    /// The distinct entries as they would be written in the file, exact entries first, each group sorted.
    public var entries: [String] { exactPaths + prefixes.map { $0 + "*" } }

    // MARK: Matching

    /// Whether `path` may be forwarded: it is not a token endpoint, and it equals an exact entry or lies
    /// strictly below a prefix entry, comparing UTF-8 bytes.
    public func allows(_ path: some StringProtocol) -> Bool {
        let bytes = path.utf8
        if Self.isTokenEndpoint(path) { return false }
        if containsExact(bytes) { return true }
        for prefix in prefixes {
            let prefixBytes = prefix.utf8
            if bytes.count > prefixBytes.count && bytes.starts(with: prefixBytes) { return true }
        }
        return false
    }

    /// `nil` if `path` may be forwarded, else the rejection to answer with (85107).
    public func authorize(_ path: some StringProtocol) -> PathRejection? {
        if Self.isTokenEndpoint(path) { return .tokenEndpoint(path: path) }
        return allows(path) ? nil : .notWhitelisted(path: path)
    }

    /// `nil` if the validated target's path may be forwarded, else the rejection to answer with (85107).
    /// Prefer this overload: a ``RequestTarget`` exists only once ``PathValidator`` has accepted its path.
    public func authorize(_ target: RequestTarget) -> PathRejection? {
        authorize(target.path)
    }

    private func containsExact(_ bytes: some Collection<UInt8>) -> Bool {
        var low = 0
        var high = exactPaths.count
        while low < high {
            let middle = (low + high) / 2
            let order = Self.compare(bytes, exactPaths[middle].utf8)
            if order == 0 { return true }
            if order < 0 { high = middle } else { low = middle + 1 }
        }
        return false
    }

    // MARK: Token endpoints

    /// The paths that are never forwarded: the sidecar owns the token, and a caller fetching one through it
    /// would use the sidecar's whitelisted egress IP (and, in classic mode, invalidate the sidecar's token).
    public static let tokenEndpoints = ["/cgi-bin/token", "/cgi-bin/stable_token"]

    /// Whether `path` names a token endpoint, ignoring ASCII case and one trailing `/` to be safe against
    /// a server that is laxer than the whitelist.
    public static func isTokenEndpoint(_ path: some StringProtocol) -> Bool {
        let bytes = path.utf8
        var count = bytes.count
        if count == 15 || count == 22 {
            guard bytes.dropFirst(count - 1).first == ByteClass.slash else { return false }
            count -= 1
        }
        guard count == 14 || count == 21 else { return false }
        let trimmed = bytes.prefix(count)
        return tokenEndpoints.contains { ByteClass.equalsIgnoringASCIICase($0.utf8, trimmed) }
    }

    // MARK: Byte order

    /// -1, 0 or 1 as `lhs` sorts before, equal to or after `rhs`, byte by byte.
    static func compare(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Int {
        var left = lhs.makeIterator()
        var right = rhs.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let l?, let r?):
                if l != r { return l < r ? -1 : 1 }
            }
        }
    }

    private static func sortedUnique(_ items: some Sequence<String>) -> [String] {
        var seen: Set<[UInt8]> = []
        var result: [String] = []
        for item in items where seen.insert(Array(item.utf8)).inserted {
            result.append(item)
        }
        return result.sorted { compare($0.utf8, $1.utf8) < 0 }
    }
}
