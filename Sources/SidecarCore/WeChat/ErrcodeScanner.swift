// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Reads the top-level `errcode` of a WeChat JSON answer in one pass over its bytes, allocating nothing.
///
/// The answer is validated as JSON (RFC 8259: structure, strings and their escapes, UTF-8, numbers, literals,
/// nesting up to ``maximumDepth``) while it is scanned, so an invalid answer has no errcode, as with the full
/// parse (Foundation's `JSONSerialization`) it replaces; like that parser it accepts one trailing comma before `}`
/// or `]`. (It differs only for numbers beyond `Int`'s range, which are no errcode here.) The errcode is the value of the top-level object's `errcode` member (the last one if repeated; an
/// escaped key such as `"err\u0063ode"` counts) when that value is a number (truncated towards zero) or `true`/
/// `false` (1/0); a string, `null`, an array or an object gives `nil`, as does a top-level value that is not an
/// object. Members of nested objects (`{"result":{"errcode":40001}}`) are never the errcode.
public enum ErrcodeScanner {
    /// The deepest nesting accepted; deeper answers are treated as invalid.
    public static let maximumDepth = 512

    /// The top-level `errcode` of `bytes`, or `nil` (not JSON, not an object, no numeric errcode).
    public static func topLevelErrcode(_ bytes: some Collection<UInt8>) -> Int? {
        if let result = bytes.withContiguousStorageIfAvailable({ scan(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { scan($0) }
    }

    /// The top-level `errcode` of the bytes in `buffer`, or `nil`.
    public static func topLevelErrcode(_ buffer: UnsafeRawBufferPointer) -> Int? {
        scan(buffer)
    }

    private static func scan(_ buffer: UnsafeRawBufferPointer) -> Int? {
        var parser = Parser(bytes: buffer)
        return parser.document()
    }
}

// MARK: - Parser

/// A validating recursive-descent JSON scanner that remembers only the top-level errcode.
private struct Parser {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    /// The errcode found so far: `.some(nil)` when the last `errcode` member was not numeric.
    var errcode: Int?? = nil
    var failed = false

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        // A UTF-8 byte order mark is skipped, as a full parser does.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    mutating func document() -> Int? {
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { return nil }
        object(depth: 1)
        skipWhitespace()
        guard !failed, index == bytes.count else { return nil }
        return errcode ?? nil
    }

    // MARK: Values

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func fail() {
        failed = true
        index = bytes.count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// A value; at depth 1 (inside the top-level object) `capture` receives a number or boolean.
    private mutating func value(depth: Int, capture: Bool) -> Int?? {
        skipWhitespace()
        guard let byte = peek else { fail(); return nil }
        switch byte {
        case UInt8(ascii: "{"):
            object(depth: depth + 1)
            return .some(nil)
        case UInt8(ascii: "["):
            array(depth: depth + 1)
            return .some(nil)
        case UInt8(ascii: "\""):
            _ = string(matchingErrcode: false)
            return .some(nil)
        case UInt8(ascii: "t"):
            literal("true")
            return .some(1)
        case UInt8(ascii: "f"):
            literal("false")
            return .some(0)
        case UInt8(ascii: "n"):
            literal("null")
            return .some(nil)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .some(number(capture: capture))
        default:
            fail()
            return nil
        }
    }

    private mutating func object(depth: Int) {
        guard depth <= ErrcodeScanner.maximumDepth else { return fail() }
        index += 1  // {
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return
        }
        while !failed {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { return fail() }
            let isErrcode = string(matchingErrcode: depth == 1)
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { return fail() }
            index += 1
            let member = value(depth: depth, capture: isErrcode)
            if isErrcode, let member { errcode = member }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","):
                index += 1
                // One trailing comma before the end is accepted, as Foundation's parser accepts it.
                skipWhitespace()
                if peek == UInt8(ascii: "}") {
                    index += 1
                    return
                }
            case UInt8(ascii: "}"):
                index += 1
                return
            default: return fail()
            }
        }
    }

    private mutating func array(depth: Int) {
        guard depth <= ErrcodeScanner.maximumDepth else { return fail() }
        index += 1  // [
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return
        }
        while !failed {
            _ = value(depth: depth, capture: false)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if peek == UInt8(ascii: "]") {
                    index += 1
                    return
                }
            case UInt8(ascii: "]"):
                index += 1
                return
            default: return fail()
            }
        }
    }

    private mutating func literal(_ text: StaticString) {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { return fail() }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] {
            return fail()
        }
        index += count
    }

    // MARK: Strings

    /// Scans a string (validating escapes and UTF-8); returns whether, decoded, it equals `errcode`.
    ///
    /// Inlined for its common case, a plain ASCII string that is not a top-level key: skipped in place, without a
    /// call into the escape and UTF-8 machinery of ``stringRest(matchingErrcode:)``.
    @inline(__always)
    private mutating func string(matchingErrcode: Bool) -> Bool {
        index += 1  // "
        if !matchingErrcode {
            skipPlainBytes()
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return false
            }
        }
        return stringRest(matchingErrcode: matchingErrcode)
    }

    /// The rest of a string from `index`, past its opening quote (and, unless `matchingErrcode`, past its plain
    /// bytes): escapes, UTF-8 sequences and the comparison with `errcode`.
    private mutating func stringRest(matchingErrcode: Bool) -> Bool {
        let errcodeBytes: StaticString = "errcode"
        var matched = 0  // decoded bytes that matched so far, or -1 once it cannot match
        if !matchingErrcode { matched = -1 }
        func track(_ byte: UInt8) {
            guard matched >= 0 else { return }
            if matched < errcodeBytes.utf8CodeUnitCount && errcodeBytes.utf8Start[matched] == byte {
                matched += 1
            } else {
                matched = -1
            }
        }
        while index < bytes.count {
            if matched < 0 {
                skipPlainBytes()
                guard index < bytes.count else { break }
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return matched == errcodeBytes.utf8CodeUnitCount
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { fail(); return false }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): track(escape)
                case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    track(0)
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else { fail(); return false }
                    if (0xD800..<0xDC00).contains(unit) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { fail(); return false }
                        index += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { fail(); return false }
                        track(0x80)  // outside ASCII: never part of "errcode"
                    } else if (0xDC00..<0xE000).contains(unit) {
                        fail()
                        return false
                    } else {
                        track(unit < 0x80 ? UInt8(unit) : 0x80)
                    }
                default:
                    fail()
                    return false
                }
            case 0x00..<0x20:
                fail()
                return false
            case 0x20..<0x80:
                track(byte)
                index += 1
            default:
                guard utf8Sequence() else { fail(); return false }
                track(0x80)
            }
        }
        fail()
        return false
    }

    /// Skips printable ASCII other than `"` and `\`, which is most of any string, in a tight loop over the raw
    /// bytes (with the other scanner changes of session 8: 28.4k → 24.6k instructions per 1 KB answer, callgrind,
    /// BENCHMARKS.md).
    @inline(__always)
    private mutating func skipPlainBytes() {
        guard let base = bytes.baseAddress else { return }
        let start = base + index
        let end = base + bytes.count
        var next = start
        while next < end {
            let byte = next.load(as: UInt8.self)
            if byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C { break }
            next += 1
        }
        index += next - start
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    /// One well-formed multi-byte UTF-8 sequence starting at `index` (no overlongs, surrogates or values past
    /// U+10FFFF); advances past it.
    private mutating func utf8Sequence() -> Bool {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return false
        }
        guard bytes.count - index >= length else { return false }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { return false }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            return false
        }
        index += length
        return true
    }

    // MARK: Numbers

    /// Scans a number; when `capture`, returns its value truncated towards zero (nil if it does not fit an Int).
    private mutating func number(capture: Bool) -> Int? {
        let start = index
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var integer = 0
        var overflow = false
        guard let first = peek, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { fail(); return nil }
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            while let digit = peek, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
                if capture && !overflow {
                    let (times, o1) = integer.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
                    if o1 || o2 { overflow = true } else { integer = sum }
                }
                index += 1
            }
        }
        var isInteger = true
        if peek == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard digits() else { fail(); return nil }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits() else { fail(); return nil }
        }
        guard capture else { return nil }
        if isInteger && !overflow { return negative ? -integer : integer }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite, let truncated = Int(exactly: double.rounded(.towardZero))
        else { return nil }
        return truncated
    }

    private mutating func digits() -> Bool {
        let start = index
        while let digit = peek, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") { index += 1 }
        return index > start
    }
}
