// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The media type of a `Content-Type` value: the bytes before any `;`, blanks trimmed, compared ASCII-case-
/// insensitively in place (no allocation per answer; `AnswerKind` and `TokenErrorDetector` read it on every one).
struct MediaType {
    /// The media type's bytes, as sent (not lowercased).
    private let bytes: UnsafeBufferPointer<UInt8>

    /// Calls `body` with the media type of `contentType`.
    static func of<Result>(_ contentType: String, _ body: (MediaType) -> Result) -> Result {
        var contentType = contentType
        return contentType.withUTF8 { bytes in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            var start = bytes.startIndex
            while start < end, isBlank(bytes[start]) { start += 1 }
            while end > start, isBlank(bytes[end - 1]) { end -= 1 }
            return body(MediaType(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end])))
        }
    }

    /// Whether the media type is `lowercase`, ASCII case ignored.
    func `is`(_ lowercase: StaticString) -> Bool {
        bytes.count == lowercase.utf8CodeUnitCount && matches(lowercase, at: 0)
    }

    /// Whether the media type starts with `lowercase`, ASCII case ignored.
    func hasPrefix(_ lowercase: StaticString) -> Bool {
        bytes.count >= lowercase.utf8CodeUnitCount && matches(lowercase, at: 0)
    }

    /// Whether the media type ends with `lowercase`, ASCII case ignored.
    func hasSuffix(_ lowercase: StaticString) -> Bool {
        bytes.count >= lowercase.utf8CodeUnitCount && matches(lowercase, at: bytes.count - lowercase.utf8CodeUnitCount)
    }

    private func matches(_ lowercase: StaticString, at offset: Int) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for index in expected.indices {
            let byte = bytes[offset + index]
            if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != expected[index] { return false }
        }
        return true
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }
}
