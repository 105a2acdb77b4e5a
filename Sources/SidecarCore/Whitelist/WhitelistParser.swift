// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Parses the whitelist file: one API path per line, as in the WeChat Cloud Hosting console.
///
/// - Lines end in LF or CRLF; a UTF-8 byte-order mark at the start is ignored.
/// - Blank lines (empty or only spaces and tabs) and comment lines (first non-blank character `#`) are ignored.
/// - Any other line is an entry, taken exactly as written: it must start with `/`; a final `/*` makes it a
///   prefix entry (`/*` alone allows everything). It may not contain `..`, `//`, `%`, `?`, `#`, `\`, `;`,
///   whitespace, control or non-ASCII bytes, a `.` segment, a `*` elsewhere, or any byte ``PathValidator``
///   would refuse in a request path, and it is at most ``PathValidator/maxPathLength`` bytes. One bad line
///   makes the whole file invalid.
/// - Duplicates are fine. `/cgi-bin/token` and `/cgi-bin/stable_token` are accepted with a warning: they are
///   never forwarded.
enum WhitelistParser {
    static func parse(_ text: String) -> Result<ParsedWhitelist, WhitelistError> {
        var bytes = Substring(text).utf8[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }

        var exact: [String] = []
        var prefixes: [String] = []
        var warnings: [WhitelistWarning] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: ByteClass.lineFeed, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == ByteClass.carriageReturn { line = line.dropLast() }
            guard let start = line.firstIndex(where: { $0 != ByteClass.space && $0 != ByteClass.tab }),
                line[start] != ByteClass.numberSign
            else { continue }  // blank or comment

            let entry = Substring(line)
            if let reason = violation(in: line) {
                return .failure(WhitelistError(line: lineNumber, reason: reason, text: entry))
            }
            if PathWhitelist.isTokenEndpoint(entry) {
                warnings.append(
                    WhitelistWarning(
                        line: lineNumber,
                        message:
                            "\(entry) is never forwarded (wxsidecar owns the access_token); the entry has no effect"
                    ))
            }
            if let exposure = broadPrefixExposure(entry) {
                warnings.append(WhitelistWarning(line: lineNumber, message: exposure))
            }
            if line.last == ByteClass.asterisk {
                prefixes.append(String(entry.dropLast()))
            } else {
                exact.append(String(entry))
            }
        }
        if exact.isEmpty && prefixes.isEmpty {
            warnings.append(
                WhitelistWarning(
                    line: nil, message: "the whitelist has no entries: every API call will be refused with 85107"))
        }
        let whitelist = PathWhitelist(exactPaths: exact, prefixes: prefixes)
        return .success(ParsedWhitelist(whitelist: whitelist, warnings: warnings))
    }

    /// What a broad prefix entry exposes, or `nil` for a narrow entry. `/*` and `/cgi-bin/*` (or any prefix of
    /// `/cgi-bin/`) let callers reach every account-management API: menus, users, tickets, and
    /// `/cgi-bin/openapi/*`, which can reset the account's API quota and read other calls' details.
    static func broadPrefixExposure(_ entry: Substring) -> String? {
        guard entry.hasSuffix("/*") else { return nil }
        let prefix = entry.dropLast()
        guard "/cgi-bin/".hasPrefix(prefix) || prefix.hasPrefix("/cgi-bin/openapi") else { return nil }
        return "\(entry) is a broad entry: callers can reach every API under \(prefix), including account"
            + " management (/cgi-bin/openapi/quota/clear resets the account's API quota, /cgi-bin/openapi/rid/get"
            + " reads other calls' details); list the paths the apps need instead"
    }

    /// The first rule an entry line breaks, or `nil`.
    static func violation(in line: Substring.UTF8View) -> WhitelistError.Reason? {
        guard line.first == ByteClass.slash else { return .relativePath }
        guard line.count <= PathValidator.maxPathLength else { return .pathTooLong }
        let isPrefix =
            line.count >= 2 && line.last == ByteClass.asterisk
            && line[line.index(line.endIndex, offsetBy: -2)] == ByteClass.slash
        let body = isPrefix ? line.dropLast() : line[...]

        var previous: UInt8 = 0
        for byte in body {
            if let reason = byteViolation(byte, after: previous) { return reason }
            previous = byte
        }
        // What is left for the request-path rules: `.` segments (`/./`, a trailing `/.`).
        if let found = PathValidator.firstViolation(inPath: body) {
            return found.code == .dotSegment ? .dotSegment : .invalidCharacter
        }
        return nil
    }

    private static func byteViolation(_ byte: UInt8, after previous: UInt8) -> WhitelistError.Reason? {
        switch byte {
        case ByteClass.space, ByteClass.tab: return .whitespace
        case _ where ByteClass.isControl(byte): return .controlByte
        case _ where ByteClass.isNonASCII(byte): return .nonASCII
        case ByteClass.percent: return .percentEncoding
        case ByteClass.questionMark: return .query
        case ByteClass.numberSign: return .fragment
        case ByteClass.backslash: return .backslash
        case ByteClass.semicolon: return .semicolon
        case ByteClass.asterisk: return .wildcard
        case ByteClass.slash where previous == ByteClass.slash: return .doubleSlash
        case ByteClass.period where previous == ByteClass.period: return .dotDot
        case _ where !ByteClass.isPathByte(byte): return .invalidCharacter
        default: return nil
        }
    }
}
