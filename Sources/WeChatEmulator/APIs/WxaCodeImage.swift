// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The fake mini-program code images of `POST /wxa/getwxacode`: a JPEG start marker (`FF D8`), deterministic
/// pseudo-random bytes, a JPEG end marker (`FF D9`). Tests compute the expected bytes with `bytes(path:width:size:)`.
public enum WxaCodeImage {
    /// Image sizes the emulator produces: at least the two markers, at most 64 MiB.
    public static let sizeRange = 4...(64 << 20)

    /// The image for `path` at `width`, exactly `size` bytes long (clamped to `sizeRange`).
    ///
    /// The filler comes from SplitMix64 seeded with an FNV-1a hash of `path`, `width` and `size`.
    public static func bytes(path: String, width: Int, size: Int) -> [UInt8] {
        let size = clampedSize(size)
        var state = seed(path: path, width: width, size: size)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            buffer[0] = 0xFF
            buffer[1] = 0xD8
            var index = 2
            let end = size - 2
            while index < end {
                var word = splitMix(&state)
                for _ in 0..<8 where index < end {
                    buffer[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index += 1
                }
            }
            buffer[size - 2] = 0xFF
            buffer[size - 1] = 0xD9
            count = size
        }
    }

    /// `size` brought into `sizeRange`.
    static func clampedSize(_ size: Int) -> Int {
        min(max(size, sizeRange.lowerBound), sizeRange.upperBound)
    }

    // MARK: Pseudo-random filler

    private static func seed(path: String, width: Int, size: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(path)|\(width)|\(size)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
