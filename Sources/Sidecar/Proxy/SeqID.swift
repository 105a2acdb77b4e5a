// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Request ids for `x-openapi-seqid` and the access log: a random per-process prefix and a counter,
/// 24 hex digits, unique within the process and unlikely to repeat across restarts.
final class SeqIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    init() {
        prefix = Self.hex(UInt64.random(in: 0...UInt64.max) >> 32, digits: 8)
    }

    func next() -> String {
        let value = counter.add(1, ordering: .relaxed).newValue
        return prefix + Self.hex(value, digits: 16)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
