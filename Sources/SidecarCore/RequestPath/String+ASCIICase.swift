// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension String {
    /// Whether this string equals `other` ignoring ASCII case (header names, media types, expectations), over the
    /// contiguous UTF-8 of both: zipping the two `utf8` views cost ~10× more per byte on every request
    /// (callgrind, BENCHMARKS.md session 8).
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var other = other
        return other.withUTF8 { equalsIgnoringASCIICase(UnsafeBufferPointer(rebasing: $0[...])) }
    }

    /// Whether this string equals `lowercase` ignoring ASCII case (the header filter's fixed names).
    public func equalsIgnoringASCIICase(_ lowercase: StaticString) -> Bool {
        guard utf8.count == lowercase.utf8CodeUnitCount else { return false }
        return equalsIgnoringASCIICase(UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
    }

    /// Whether this string's UTF-8 equals `other` ignoring ASCII case; the counts are equal.
    private func equalsIgnoringASCIICase(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = self
        return text.withUTF8 { bytes in
            for index in bytes.indices where ByteClass.lowercased(bytes[index]) != ByteClass.lowercased(other[index]) {
                return false
            }
            return true
        }
    }
}
