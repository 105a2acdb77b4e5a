// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import NIOCore

// MARK: - UpstreamHeaderBlock

/// A response head kept as raw header lines (``UpstreamResponse``, ``UpstreamResponseHead``): the driver thread only
/// copies them, whoever reads ``headers`` parses them.
public protocol UpstreamHeaderBlock {
    /// The header lines as received: `Name: value` CRLF each, no status line.
    var headerBlock: ByteBuffer { get }
}

extension UpstreamHeaderBlock {
    /// The header fields in the order received, parsed from ``headerBlock`` on each access (an obsolete folded
    /// line continues the previous field's value; a line without a colon is skipped).
    public var headers: [(name: String, value: String)] {
        HeaderBlock.fields(of: headerBlock)
    }

    /// The value of the first header field with this name, compared ASCII-case-insensitively, read from
    /// ``headerBlock`` in place: only that value is made into a `String` (for the driver thread, which must not
    /// parse every field just to read one).
    ///
    /// - Parameter name: The field name.
    /// - Returns: The value (with any folded continuation), or `nil` when there is no such field.
    public func firstHeaderValue(_ name: String) -> String? {
        HeaderBlock.firstValue(named: name, in: headerBlock)
    }

    /// The values of every header field with this name, compared case-insensitively, in order.
    ///
    /// - Parameter name: The field name.
    /// - Returns: The values; empty when there is no such field.
    public func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }
}

// MARK: - HeaderBlock

/// Parsing of raw response header lines.
enum HeaderBlock {
    /// The fields of `block` in order: an obsolete folded line continues the previous field's value; a line without
    /// a colon is skipped.
    static func fields(of block: ByteBuffer) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(16)  // one allocation for a usual head, not one per doubling
        block.withUnsafeReadableBytes { block in
            _ = HeaderLines.forEach(in: block) { start, end, _ in
                let line = UnsafeRawBufferPointer(rebasing: block[start..<end])
                if HeaderLines.isFolded(line) {
                    if !fields.isEmpty { fields[fields.count - 1].value += " " + trimmed(line) }
                    return true
                }
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return true }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
                fields.append((name, trimmed(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))))
                return true
            }
        }
        return fields
    }

    /// The value of the first field of `block` named `name` (ASCII case ignored), as ``fields(of:)`` would give
    /// it, without parsing the other fields.
    static func firstValue(named name: String, in block: ByteBuffer) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            block.withUnsafeReadableBytes { block -> String? in
                var value: String?
                HeaderLines.forEach(in: block) { start, end, _ in
                    let line = UnsafeRawBufferPointer(rebasing: block[start..<end])
                    let folded = HeaderLines.isFolded(line)
                    if let found = value {
                        guard folded else { return false }
                        value = found + " " + trimmed(line)
                    } else if !folded, line.count > wanted.count, line[wanted.count] == UInt8(ascii: ":"),
                        equalIgnoringASCIICase(UnsafeRawBufferPointer(rebasing: line[..<wanted.count]), wanted)
                    {
                        value = trimmed(UnsafeRawBufferPointer(rebasing: line[(wanted.count + 1)...]))
                    }
                    return true
                }
                return value
            }
        }
    }

    private static func equalIgnoringASCIICase(_ bytes: UnsafeRawBufferPointer, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == other.count else { return false }
        for index in 0..<bytes.count where lowercased(bytes[index]) != lowercased(other[index]) {
            return false
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// Header lines for `fields`, `Name: value` CRLF each.
    static func lines(of fields: [(name: String, value: String)]) -> ByteBuffer {
        var block = ByteBuffer()
        for (name, value) in fields {
            block.writeString("\(name): \(value)\r\n")
        }
        return block
    }

    /// Whether `line` is a status line (starts with `HTTP/`), compared in place: the generic `starts(with:)` of a
    /// buffer and a string's `utf8` cost over a thousand instructions on every head (callgrind, BENCHMARKS.md
    /// session 8).
    static func isStatusLine(_ line: UnsafeRawBufferPointer) -> Bool {
        line.count >= 5 && line[0] == UInt8(ascii: "H") && line[1] == UInt8(ascii: "T") && line[2] == UInt8(ascii: "T")
            && line[3] == UInt8(ascii: "P") && line[4] == UInt8(ascii: "/")
    }

    /// The status code of a status line such as `HTTP/1.1 200 OK` or `HTTP/2 200`, or 0 when it has none.
    static func status(ofStatusLine line: UnsafeRawBufferPointer) -> Int {
        guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return 0 }
        var status = 0
        var digits = 0
        for byte in line[(space + 1)...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 3 else { break }
            status = status * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits == 3 ? status : 0
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: HeaderLines.trimmed(bytes), as: UTF8.self)
    }
}
