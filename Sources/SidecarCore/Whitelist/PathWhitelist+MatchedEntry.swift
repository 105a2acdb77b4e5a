// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension PathWhitelist {
    /// The entry that allows `path`, spelled as in the file (`/wxa/msg_sec_check`, `/wxa/*`), or `nil`
    /// when none does. The set of entries is bounded by the file, so this is a safe metric label.
    public func matchedEntry(_ path: some StringProtocol) -> String? {
        guard allows(path) else { return nil }
        let bytes = path.utf8
        if let exact = exactPaths.first(where: { $0.utf8.elementsEqual(bytes) }) { return exact }
        var best: String?
        for prefix in prefixes where bytes.count > prefix.utf8.count && bytes.starts(with: prefix.utf8) {
            if best == nil || prefix.utf8.count > best!.utf8.count { best = prefix }
        }
        return best.map { $0 + "*" }
    }

    /// What the proxy asks for every request, in one call: the rejection to answer with (85107), or the entry
    /// that allows the validated target's path, as ``authorize(_:)-(RequestTarget)`` and ``matchedEntry(_:)``
    /// would answer.
    ///
    /// Not generic, so callers in other modules get the code specialised for `Substring` rather than the
    /// generic entry points' unspecialised path (runtime metadata and witness calls on every request).
    public func admit(_ target: RequestTarget) -> Result<String, PathRejection> {
        let path = target.path
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
}
