// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one walker over raw header lines (`Name: value` CRLF each, as libcurl delivers a head): ``HeaderBlock``
/// parses fields with it, the sidecar's `HeaderFilter` filters the lines it returns to callers with it.
public enum HeaderLines {
    /// Calls `body` with the bounds of each non-empty line of `block` (`start..<end` without its CR LF or LF;
    /// `next`, where the next line starts) while it returns `true`.
    ///
    /// - Returns: Whether every line was seen.
    @discardableResult
    public static func forEach(
        in block: UnsafeRawBufferPointer, _ body: (_ start: Int, _ end: Int, _ next: Int) -> Bool
    ) -> Bool {
        guard let base = block.baseAddress else { return true }
        var start = 0
        while start < block.count {
            let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), block.count - start)
                .map { UnsafeRawPointer($0) - base } ?? block.count
            var end = newline
            if end > start, block[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let next = min(newline + 1, block.count)
            if end > start, !body(start, end, next) { return false }
            start = next
        }
        return true
    }

    /// Whether `line` continues the field before it (an obsolete fold: it starts with a space or a tab).
    public static func isFolded(_ line: UnsafeRawBufferPointer) -> Bool {
        line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t")
    }

    /// `bytes` without the spaces and tabs at either end.
    public static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return UnsafeRawBufferPointer(rebasing: bytes[0..<0]) }
        return UnsafeRawBufferPointer(rebasing: bytes[first...last])
    }
}
