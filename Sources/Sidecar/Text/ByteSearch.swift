// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding bytes in a buffer with the C library's vectorised `memchr`: the ``Redactor``'s needles, and the
/// ``TokenErrorDetector``'s look for the digits of a token errcode.
enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `bytes` at or after `start`: `memchr` for the first
    /// byte, `memcmp` for the rest (tokens start with varied bytes, so candidates are rare).
    static func firstMatch(of needle: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, let first = needle.first, bytes.count - start >= needle.count else {
            return nil
        }
        return needle.withUnsafeBytes { needleBytes -> Int? in
            let last = bytes.count - needle.count
            var position = start
            while position <= last {
                guard let hit = memchr(base + position, Int32(first), last - position + 1) else { return nil }
                let offset = UnsafeRawPointer(hit) - base
                if memcmp(base + offset, needleBytes.baseAddress!, needle.count) == 0 { return offset }
                position = offset + 1
            }
            return nil
        }
    }

    /// Whether `byte` occurs in `bytes` right after an ASCII digit.
    static func occursAfterDigit(_ byte: UInt8, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var position = 1
        while position < bytes.count {
            guard let hit = memchr(base + position, Int32(byte), bytes.count - position) else { return false }
            let offset = UnsafeRawPointer(hit) - base
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset - 1]) { return true }
            position = offset + 1
        }
        return false
    }
}
