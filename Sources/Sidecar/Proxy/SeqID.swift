// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Request ids for `x-openapi-seqid` and the access log: a random per-process prefix and a counter,
/// 24 hex digits, unique within the process and unlikely to repeat across restarts.
final class SeqIDGenerator: Sendable {
    private let counter = Atomic<UInt64>(0)

    private let prefixBits: UInt64

    init() {
        prefixBits = UInt64.random(in: 0...UInt64.max) >> 32
    }

    /// The next id: one string written in place (24 bytes fit no small-string form, so one allocation).
    func next() -> String {
        let value = counter.add(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 24) { buffer in
            Self.writeHex(prefixBits, digits: 8, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<8]))
            Self.writeHex(value, digits: 16, into: UnsafeMutableBufferPointer(rebasing: buffer[8..<24]))
            return 24
        }
    }

    /// `value`'s low `digits` hex digits, lowercase, zero-padded.
    private static func writeHex(_ value: UInt64, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) {
        var rest = value
        for index in stride(from: digits - 1, through: 0, by: -1) {
            let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
            buffer[index] = nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
            rest >>= 4
        }
    }
}
