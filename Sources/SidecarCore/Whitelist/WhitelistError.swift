// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// MARK: - Result

/// A successfully parsed whitelist file and what its author should hear about it.
public struct ParsedWhitelist: Sendable, Hashable {
    /// The whitelist to match against.
    public let whitelist: PathWhitelist
    /// Things worth logging at load: entries that have no effect, an empty file.
    public let warnings: [WhitelistWarning]
}

/// A remark about a valid whitelist file, e.g. `line 4: /cgi-bin/token is never forwarded`.
public struct WhitelistWarning: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line the warning is about, or `nil` for the file as a whole.
    public let line: Int?
    /// What is odd and what it means.
    public let message: String

    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}

// MARK: - Error

/// Why a whitelist file is invalid. One bad line makes the whole file invalid, so a watcher keeps the whitelist
/// it had; the error names the first bad line and the rule it breaks.
public struct WhitelistError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number.
    public let line: Int
    /// A short, bounded label for metrics, e.g. `"double_slash"`; the names match ``PathRejection`` labels
    /// where the rule is the same.
    public let label: String
    /// What is wrong with the line, echoing it only if it is printable ASCII.
    public let message: String

    init(line: Int, reason: Reason, text: Substring) {
        self.line = line
        self.label = reason.rawValue
        self.message = EchoText.quoted(text) + " " + reason.explanation
    }

    public var description: String { "line \(line): \(message)" }

    /// The rules a line can break.
    enum Reason: String, Sendable, CaseIterable {
        case relativePath = "relative_path"
        case pathTooLong = "path_too_long"
        case whitespace = "whitespace"
        case controlByte = "control_byte"
        case nonASCII = "non_ascii"
        case percentEncoding = "percent_encoding"
        case query = "query"
        case fragment = "fragment"
        case backslash = "backslash"
        case semicolon = "semicolon"
        case wildcard = "wildcard"
        case doubleSlash = "double_slash"
        case dotDot = "dot_dot"
        case dotSegment = "dot_segment"
        case invalidCharacter = "invalid_character"

        var explanation: String {
            switch self {
            case .relativePath:
                "does not start with '/': write API paths as in the console, e.g. /wxa/msg_sec_check"
            case .pathTooLong:
                "is longer than \(PathValidator.maxPathLength) bytes"
            case .whitespace:
                "contains whitespace: one path per line, no spaces, comments on their own line"
            case .controlByte:
                "contains a control byte"
            case .nonASCII:
                "contains a non-ASCII byte: API paths are plain ASCII"
            case .percentEncoding:
                "contains '%': write the path unencoded"
            case .query:
                "contains '?': list the path only, without a query"
            case .fragment:
                "contains '#': comments must be on their own line"
            case .backslash:
                "contains a backslash: use '/'"
            case .semicolon:
                "contains ';'"
            case .wildcard:
                "has '*' where only a final '/*' is accepted (e.g. /wxa/*)"
            case .doubleSlash:
                "contains '//'"
            case .dotDot:
                "contains '..'"
            case .dotSegment:
                "contains a '.' segment"
            case .invalidCharacter:
                "contains a character that has no place in a path"
            }
        }
    }
}
