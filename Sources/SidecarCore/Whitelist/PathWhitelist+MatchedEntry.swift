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
}
