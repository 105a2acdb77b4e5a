// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// Independent, deliberately naive re-statements of what the sidecar promises, for the fuzz targets to hold the
// real code to. Nothing here is shared with Sources/SidecarCore: a bug there must not be copied here.

enum Reference {
    /// Bytes a forwarded path may hold besides letters and digits (RFC 3986 pchar minus `%` and `;`, plus `/`).
    static let pathPunctuation = Array("-._~!$&'()*+,=:@/".utf8)

    static func isPathByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || pathPunctuation.contains(byte)
    }

    /// `[A-Za-z0-9_-]`: what a real access_token is made of.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D
            || byte == 0x5F
    }

    /// Whether `path` is something no server further on can decode or normalise into a different path:
    /// only path bytes, starts with `/`, no empty, `.` or `..` segment, at most 1024 bytes.
    static func isCanonicalPath(_ path: [UInt8]) -> Bool {
        guard path.first == 0x2F, path.count <= 1024, path.allSatisfy(isPathByte) else { return false }
        let segments = path.split(separator: 0x2F, omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            if segment.elementsEqual([0x2E]) || segment.elementsEqual([0x2E, 0x2E]) { return false }
            // An empty segment is `//`, except the last one (a trailing slash).
            if segment.isEmpty && index != segments.count - 1 { return false }
        }
        return percentDecoded(path) == path && removeDotSegments(path) == path
    }

    /// RFC 3986 §2.1 percent-decoding, once; invalid escapes stay as they are.
    static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    /// RFC 3986 §5.2.4 remove_dot_segments, as a URL library would apply it.
    static func removeDotSegments(_ path: [UInt8]) -> [UInt8] {
        var input = path
        var output: [UInt8] = []
        func starts(_ prefix: String) -> Bool { input.starts(with: Array(prefix.utf8)) }
        while !input.isEmpty {
            if starts("../") { input.removeFirst(3) }
            else if starts("./") { input.removeFirst(2) }
            else if starts("/./") { input.removeFirst(2) }
            else if input.elementsEqual(Array("/.".utf8)) { input = [0x2F] }
            else if starts("/../") {
                input.removeFirst(3)
                if let slash = output.lastIndex(of: 0x2F) { output.removeSubrange(slash...) } else { output = [] }
            } else if input.elementsEqual(Array("/..".utf8)) {
                input = [0x2F]
                if let slash = output.lastIndex(of: 0x2F) { output.removeSubrange(slash...) } else { output = [] }
            } else if input.elementsEqual([0x2E]) || input.elementsEqual([0x2E, 0x2E]) {
                input = []
            } else {
                var end = input.first == 0x2F ? 1 : 0
                while end < input.count && input[end] != 0x2F { end += 1 }
                output += input[..<end]
                input.removeFirst(end)
            }
        }
        return output
    }

    /// Whether `path` names a token endpoint in any case, with or without one trailing `/`.
    static func isTokenEndpoint(_ path: [UInt8]) -> Bool {
        var lowered = path.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        if lowered.last == 0x2F { lowered.removeLast() }
        return lowered == Array("/cgi-bin/token".utf8) || lowered == Array("/cgi-bin/stable_token".utf8)
    }

    // MARK: Whitelist

    /// The entry lines of a whitelist file: LF or CRLF lines, blank and `#` comment lines dropped, a leading BOM
    /// ignored. Lines are kept exactly (no trimming).
    static func entryLines(_ text: [UInt8]) -> [[UInt8]] {
        var bytes = text
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var lines: [[UInt8]] = []
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line = Array(raw)
            if line.last == 0x0D { line.removeLast() }
            guard let first = line.first(where: { $0 != 0x20 && $0 != 0x09 }), first != 0x23 else { continue }
            lines.append(line)
        }
        return lines
    }

    /// Whether a whitelist entry line (exact `/a/b` or prefix `/a/*`) is acceptable on its own.
    static func isValidEntry(_ line: [UInt8]) -> Bool {
        let body: [UInt8]
        if line.count >= 2 && line.suffix(2).elementsEqual(Array("/*".utf8)) { body = Array(line.dropLast()) } else { body = line }
        guard !body.contains(0x2A), line.count <= 1024 else { return false }
        guard !containsSubsequence(body, Array("..".utf8)) else { return false }
        guard !containsSubsequence(body, Array("//".utf8)) else { return false }
        // A trailing `/` is allowed on a prefix body (it always has one) and on exact entries.
        return isCanonicalPath(body)
    }

    /// Whether `path` is allowed by the entry `entry`: byte-identical to an exact entry, strictly below a
    /// prefix entry (`/a/*` allows `/a/x`, not `/a/`), and never a token endpoint.
    static func allows(entry: [UInt8], path: [UInt8]) -> Bool {
        if isTokenEndpoint(path) { return false }
        if entry.count >= 2 && entry.suffix(2).elementsEqual(Array("/*".utf8)) {
            let prefix = entry.dropLast()
            return path.count > prefix.count && path.starts(with: prefix)
        }
        return path == entry
    }

    static func containsSubsequence(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
