// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// One mapping of the process, as `/proc/self/smaps` describes it: the address range, its permissions, the file
/// behind it, and how much of it is resident and how much of that is the process's own copy (anonymous).
public struct MappedRegion: Equatable, Sendable {
    public var start: UInt
    public var end: UInt
    /// `r-xp`, `r--p`, `rw-p`, …
    public var permissions: String
    /// The file mapped, or `[heap]`, `[stack]`, `[vdso]`…, or empty for anonymous memory.
    public var path: String
    public var residentKiB: Int
    /// Pages of the mapping that are the process's own (written, so copied): never re-readable from the file.
    public var anonymousKiB: Int

    public init(start: UInt, end: UInt, permissions: String, path: String, residentKiB: Int, anonymousKiB: Int) {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.path = path
        self.residentKiB = residentKiB
        self.anonymousKiB = anonymousKiB
    }

    /// Whether dropping the mapping's resident pages loses nothing: a private mapping of a file, not writable, with
    /// no page of its own, so every page it holds is a copy of the file that the next access maps again (code and
    /// read-only data). Writable mappings, relocated read-only data (its pages were written before being made
    /// read-only, so they are anonymous), anonymous memory and the kernel's `[vdso]` never are.
    public var isReleasable: Bool {
        let flags = Array(permissions.utf8)
        return flags.count == 4 && flags[0] == UInt8(ascii: "r") && flags[1] == UInt8(ascii: "-")
            && flags[3] == UInt8(ascii: "p") && path.utf8.first == UInt8(ascii: "/") && anonymousKiB == 0
            && residentKiB > 0
    }

    /// The mappings in the text of `/proc/self/smaps` (a header line per mapping, then `Key: value kB` lines).
    /// Lines it does not recognise are skipped; a mapping without `Rss`/`Anonymous` lines counts them as 0.
    public static func parse(smaps: String) -> [MappedRegion] {
        var regions: [MappedRegion] = []
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            if let region = header(line) {
                regions.append(region)
            } else if !regions.isEmpty, let (key, kib) = sizeField(line) {
                if key == "Rss" { regions[regions.count - 1].residentKiB = kib }
                if key == "Anonymous" { regions[regions.count - 1].anonymousKiB = kib }
            }
        }
        return regions
    }

    /// `7f12a000-7f12c000 r-xp 00001000 08:01 1234  /usr/bin/wxsidecar` (the path may be absent or hold spaces).
    private static func header(_ line: Substring) -> MappedRegion? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5, fields[1].utf8.count == 4 else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), start < end
        else { return nil }
        let path = fields.count == 6 ? String(fields[5].drop { $0 == " " }) : ""
        return MappedRegion(
            start: start, end: end, permissions: String(fields[1]), path: path, residentKiB: 0, anonymousKiB: 0)
    }

    /// `Rss:                 128 kB` → ("Rss", 128).
    private static func sizeField(_ line: Substring) -> (Substring, Int)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let value = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
        guard value.count == 2, value[1] == "kB", let kib = Int(value[0]) else { return nil }
        return (line[..<colon], kib)
    }
}
