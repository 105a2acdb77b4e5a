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
    /// byte, `memcmp` for the rest (the redactor's needles start with varied bytes, so candidates are rare).
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

    /// Whether any of `candidates` occurs in `bytes` as a number's digits do: in a row, or with one `.` between two
    /// of them (`4.0001` holds `40001`). One `memchr` pass per distinct first digit finds the places to compare.
    static func containsDigits(anyOf candidates: [[UInt8]], in bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        for (index, candidate) in candidates.enumerated() {
            // Each first digit once (no set: this runs on every JSON answer).
            guard let first = candidate.first, !candidates[..<index].contains(where: { $0.first == first }) else {
                continue
            }
            var position = 0
            while position < bytes.count {
                guard let hit = memchr(base + position, Int32(first), bytes.count - position) else { break }
                let offset = UnsafeRawPointer(hit) - base
                if candidates.contains(where: { $0.first == first && rest(of: $0, followsIn: bytes, at: offset + 1) }) {
                    return true
                }
                position = offset + 1
            }
        }
        return false
    }

    /// Whether `digits` after their first follow at `start`, with at most one `.` among them.
    private static func rest(of digits: [UInt8], followsIn bytes: UnsafeRawBufferPointer, at start: Int) -> Bool {
        var index = start
        var pointSeen = false
        for digit in digits.dropFirst() {
            if !pointSeen, index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                pointSeen = true
                index += 1
            }
            guard index < bytes.count, bytes[index] == digit else { return false }
            index += 1
        }
        return true
    }
}
