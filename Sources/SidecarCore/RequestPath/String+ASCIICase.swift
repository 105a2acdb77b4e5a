// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension String {
    /// Whether this string equals `other` ignoring ASCII case (header names, media types, expectations), over the
    /// contiguous UTF-8 of both: zipping the two `utf8` views cost ~10× more per byte on every request
    /// (callgrind, BENCHMARKS.md session 8).
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var left = self
        var right = other
        return left.withUTF8 { left in
            right.withUTF8 { right in
                for index in left.indices where ByteClass.lowercased(left[index]) != ByteClass.lowercased(right[index]) {
                    return false
                }
                return true
            }
        }
    }
}
