// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The rules for a raw request path and query, checked before the whitelist is consulted.
///
/// Nothing is decoded or normalised: a path that passes is matched and forwarded byte for byte, so the rules
/// refuse everything that a server further on might decode or normalise into a different path.
///
/// A path must start with `/`, be at most ``maxPathLength`` bytes, and contain only
/// `ALPHA DIGIT - . _ ~ ! $ & ' ( ) * + , = : @ /`; in particular no `%`, `\`, `;`, `//`, no `.` or `..`
/// segment (also not trailing: `/a/.` and `/a/..`), no space, control byte or byte at or above 0x80.
/// A query may contain any printable ASCII except `#`.
///
/// The first violation in byte order wins (after the start and length checks), so the label is deterministic.
public enum PathValidator {
    /// The longest path accepted, in bytes.
    public static let maxPathLength = 1024

    // MARK: Public checks

    /// The first rule `path` breaks, or `nil` if it may be matched and forwarded as is.
    public static func check(path: Substring) -> PathRejection? {
        firstViolation(inPath: path.utf8).map { rejection(for: $0, inPath: path) }
    }

    /// The first rule `path` breaks, or `nil` if it may be matched and forwarded as is.
    public static func check(path: String) -> PathRejection? {
        check(path: path[...])
    }

    /// The first rule `query` (the part after `?`, without it) breaks, or `nil`.
    public static func check(query: Substring) -> PathRejection? {
        firstViolation(inQuery: query.utf8).map { rejection(for: $0, inQuery: query) }
    }

    // MARK: Scanning

    /// A broken rule, where it was found, and the byte found there.
    struct Violation: Equatable {
        var code: PathRejection.Kind.Code
        var offset: Int
        var byte: UInt8
    }

    /// Scans a path once, left to right.
    static func firstViolation(inPath bytes: some Collection<UInt8>) -> Violation? {
        guard let first = bytes.first, first == ByteClass.slash else {
            return Violation(code: .relativePath, offset: 0, byte: bytes.first ?? 0)
        }
        guard bytes.count <= maxPathLength else {
            return Violation(code: .pathTooLong, offset: maxPathLength, byte: 0)
        }
        var offset = 0
        var previous: UInt8 = 0
        var segmentStart = 0
        var segmentLength = 0
        var segmentDots = 0
        for byte in bytes {
            if byte == ByteClass.slash {
                if offset > 0 && previous == ByteClass.slash {
                    return Violation(code: .doubleSlash, offset: offset, byte: byte)
                }
                if offset > 0 && isDotSegment(length: segmentLength, dots: segmentDots) {
                    return Violation(code: .dotSegment, offset: segmentStart, byte: ByteClass.period)
                }
                segmentStart = offset + 1
                segmentLength = 0
                segmentDots = 0
            } else if let code = pathByteViolation(byte) {
                return Violation(code: code, offset: offset, byte: byte)
            } else {
                segmentLength += 1
                if byte == ByteClass.period { segmentDots += 1 }
            }
            previous = byte
            offset += 1
        }
        if isDotSegment(length: segmentLength, dots: segmentDots) {
            return Violation(code: .dotSegment, offset: segmentStart, byte: ByteClass.period)
        }
        return nil
    }

    /// Scans a query once, left to right.
    static func firstViolation(inQuery bytes: some Collection<UInt8>) -> Violation? {
        var offset = 0
        for byte in bytes {
            let code: PathRejection.Kind.Code? =
                if ByteClass.isNonASCII(byte) {
                    .nonASCII
                } else if ByteClass.isControl(byte) {
                    .controlByte
                } else if byte == ByteClass.space {
                    .whitespace
                } else if byte == ByteClass.numberSign {
                    .fragment
                } else {
                    nil
                }
            if let code { return Violation(code: code, offset: offset, byte: byte) }
            offset += 1
        }
        return nil
    }

    /// The rule a single non-`/` path byte breaks, if any.
    static func pathByteViolation(_ byte: UInt8) -> PathRejection.Kind.Code? {
        if ByteClass.isPathByte(byte) { return nil }
        if ByteClass.isNonASCII(byte) { return .nonASCII }
        if ByteClass.isControl(byte) { return .controlByte }
        switch byte {
        case ByteClass.space: return .whitespace
        case ByteClass.percent: return .percentEncoding
        case ByteClass.backslash: return .backslash
        case ByteClass.semicolon: return .semicolon
        case ByteClass.numberSign: return .fragment
        default: return .invalidCharacter
        }
    }

    private static func isDotSegment(length: Int, dots: Int) -> Bool {
        length == dots && (length == 1 || length == 2)
    }

    // MARK: Messages

    static func rejection(for violation: Violation, inPath path: Substring) -> PathRejection {
        let kind = PathRejection.Kind(code: violation.code)
        let at = "at byte \(violation.offset) of the path"
        let shown = EchoText.quoted(path)
        let message: String
        switch violation.code {
        case .relativePath:
            message = "invalid url: the path must start with '/' (got \(shown))"
        case .pathTooLong:
            message =
                "invalid url: the path is \(path.utf8.count) bytes long, over the \(maxPathLength)-byte limit"
        case .percentEncoding:
            message = "invalid url: percent-encoding ('%') is not accepted in the path \(shown): send it unencoded"
        case .dotSegment:
            message = "invalid url: '.' and '..' segments are not accepted in the path \(shown)"
        case .doubleSlash:
            message = "invalid url: empty segment ('//') \(at) \(shown)"
        case .backslash:
            message = "invalid url: backslash \(at) \(shown): use '/'"
        case .semicolon:
            message = "invalid url: ';' path parameters are not accepted (\(at) \(shown))"
        case .controlByte:
            message = "invalid url: control byte \(ByteClass.hexLiteral(violation.byte)) \(at) (path not shown)"
        case .nonASCII:
            message =
                "invalid url: non-ASCII byte \(ByteClass.hexLiteral(violation.byte)) \(at) (path not shown):"
                + " only plain ASCII paths are forwarded"
        case .whitespace:
            message = "invalid url: space \(at) \(shown)"
        case .fragment:
            message = "invalid url: '#' fragments are not sent to servers (\(at) \(shown))"
        default:
            let character = String(Character(Unicode.Scalar(violation.byte)))
            message = "invalid url: character '\(character)' \(at) \(shown) is not accepted in a path"
        }
        return PathRejection(kind, message)
    }

    static func rejection(for violation: Violation, inQuery query: Substring) -> PathRejection {
        let kind = PathRejection.Kind(code: violation.code)
        let at = "at byte \(violation.offset) of the query"
        let message: String
        switch violation.code {
        case .fragment:
            message = "invalid url: '#' fragments are not sent to servers (\(at))"
        case .whitespace:
            message = "invalid url: space \(at): percent-encode it as %20"
        case .nonASCII:
            message = "invalid url: non-ASCII byte \(ByteClass.hexLiteral(violation.byte)) \(at): percent-encode it"
        default:
            message = "invalid url: control byte \(ByteClass.hexLiteral(violation.byte)) \(at)"
        }
        return PathRejection(kind, message)
    }
}
