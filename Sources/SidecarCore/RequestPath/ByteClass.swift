// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// ASCII byte classes shared by the request-target parser, the path validator, the whitelist parser and the
/// query rewriter. Everything in the core works on UTF-8 bytes, never on `Character`s: Swift compares
/// `String`s by Unicode canonical equivalence and treats `"\r\n"` as one `Character`, and neither is what a
/// byte-exact proxy wants.
enum ByteClass {
    // MARK: Named bytes

    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let numberSign: UInt8 = 0x23  // #
    static let percent: UInt8 = 0x25  // %
    static let ampersand: UInt8 = 0x26  // &
    static let asterisk: UInt8 = 0x2A  // *
    static let period: UInt8 = 0x2E  // .
    static let slash: UInt8 = 0x2F  // /
    static let colon: UInt8 = 0x3A  // :
    static let semicolon: UInt8 = 0x3B  // ;
    static let equals: UInt8 = 0x3D  // =
    static let questionMark: UInt8 = 0x3F  // ?
    static let at: UInt8 = 0x40  // @
    static let backslash: UInt8 = 0x5C  // \
    static let delete: UInt8 = 0x7F

    // MARK: Classes

    /// A C0 control byte or DEL.
    static func isControl(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == delete
    }

    /// A byte outside 7-bit ASCII (part of a multi-byte UTF-8 sequence, or a stray byte).
    static func isNonASCII(_ byte: UInt8) -> Bool {
        byte >= 0x80
    }

    /// Printable ASCII, space included: safe to echo in a message once JSON-escaped.
    static func isPrintable(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F
    }

    static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    /// RFC 3986 `unreserved`: `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == 0x2D || byte == period || byte == 0x5F || byte == 0x7E
    }

    /// Whether every byte of `text` is ``isUnreserved(_:)`` (over its contiguous UTF-8: `utf8.allSatisfy` cost
    /// ~40 instructions per byte of a token, callgrind, BENCHMARKS.md session 8).
    static func allUnreserved(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            for byte in bytes where !isUnreserved(byte) { return false }
            return true
        }
    }

    /// A byte the sidecar accepts in a path: RFC 3986 `pchar` and `/`, less `%` (no percent-encoding) and `;`
    /// (no path parameters). That is `ALPHA DIGIT - . _ ~ ! $ & ' ( ) * + , = : @ /`.
    /// Everything else (`"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`, `[`, `]`, `?`, `#`, space, controls,
    /// non-ASCII) is refused, so a path that passes is forwarded to libcurl without any re-encoding.
    static func isPathByte(_ byte: UInt8) -> Bool {
        if isUnreserved(byte) { return true }
        switch byte {
        case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, equals, colon, at, slash:
            return true
        default:
            return false
        }
    }

    /// A byte allowed in a registered host name: letters, digits, `-` and `.`.
    static func isHostByte(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == 0x2D || byte == period
    }

    /// A byte allowed in a URI scheme after its first letter: `ALPHA / DIGIT / "+" / "-" / "."`.
    static func isSchemeByte(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == 0x2B || byte == 0x2D || byte == period
    }

    // MARK: Conversions

    /// ASCII lowercase; other bytes unchanged.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// The value of a hexadecimal digit, or `nil`.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// The uppercase hexadecimal digit for a value below 16.
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x41 + value - 10
    }

    /// `0x09` style rendering of a byte for messages.
    static func hexLiteral(_ byte: UInt8) -> String {
        String(decoding: [0x30, 0x78, hexDigit(byte >> 4), hexDigit(byte & 0x0F)], as: UTF8.self)
    }

    /// Whether two byte sequences are equal ignoring ASCII case.
    static func equalsIgnoringASCIICase(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).allSatisfy { lowercased($0) == lowercased($1) }
    }
}
