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
/// Match only paths that ``PathValidator`` accepted (``RequestTarget/path``): the whitelist does not re-check
/// them, so `/tcb/../cgi-bin/x` would pass a `/tcb/*` entry on its own.
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

    /// The one question the whitelist answers: may `path` be forwarded, and by which entry? The entry is
    /// spelled as in the file (`/wxa/msg_sec_check`, `/wxa/*`; the longest prefix when several allow it), a
    /// bounded metric label; the rejection is the answer to give (85107: a token endpoint, or not listed).
    ///
    /// `path` must be one ``PathValidator`` accepted (``RequestTarget/path``): the whitelist does not re-check it.
    /// Not generic, so callers in other modules get code specialised for `Substring` rather than the generic
    /// path (runtime metadata and witness calls on every request).
    public func match(_ path: Substring) -> Result<String, PathRejection> {
        if Self.isTokenEndpoint(path) { return .failure(.tokenEndpoint(path: path)) }
        let bytes = path.utf8
        // Exact entries: binary search by UTF-8 bytes.
        var low = 0
        var high = exactPaths.count
        while low < high {
            let middle = (low + high) / 2
            let order = Self.compare(bytes, exactPaths[middle].utf8)
            if order == 0 { return .success(exactPaths[middle]) }
            if order < 0 { high = middle } else { low = middle + 1 }
        }
        // Prefix entries: the longest one the path lies strictly below.
        var best: String?
        for prefix in prefixes where bytes.count > prefix.utf8.count && bytes.starts(with: prefix.utf8) {
            if best == nil || prefix.utf8.count > best!.utf8.count { best = prefix }
        }
        guard let best else { return .failure(.notWhitelisted(path: path)) }
        return .success(best + "*")
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
