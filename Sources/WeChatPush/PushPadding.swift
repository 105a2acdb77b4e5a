// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The padding of WeChat's push envelope: PKCS#7 to a multiple of 32 bytes (not AES's 16), so 1 to 32 bytes each
/// holding the pad length. This is WeChat's message format, applied around AES-CBC without padding.
public enum PushPadding {
    /// WeChat's block size for the padding.
    public static let blockSize = 32

    /// `bytes` followed by 1...32 bytes of the pad length, to a multiple of 32.
    public static func pad(_ bytes: [UInt8]) -> [UInt8] {
        let count = blockSize - bytes.count % blockSize
        return bytes + [UInt8](repeating: UInt8(count), count: count)
    }

    /// `bytes` without its padding. Refuses a last byte outside 1...32, longer than the text, or padding bytes that
    /// are not all the pad length.
    public static func unpad(_ bytes: [UInt8]) throws(PushRefusal) -> ArraySlice<UInt8> {
        guard let last = bytes.last else { throw .badPadding }
        let count = Int(last)
        guard (1...blockSize).contains(count), count <= bytes.count else { throw .badPadding }
        let padding = bytes.suffix(count)
        guard padding.allSatisfy({ $0 == last }) else { throw .badPadding }
        return bytes.dropLast(count)
    }
}
