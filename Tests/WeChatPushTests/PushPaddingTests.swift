// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import WeChatPush
import Testing

@Suite struct PushPaddingTests {
    @Test(arguments: [(0, 32), (1, 31), (31, 1), (32, 32), (33, 31), (63, 1), (64, 32)])
    func paddingFillsToAMultipleOf32(_ length: Int, _ padCount: Int) throws {
        let padded = PushPadding.pad([UInt8](repeating: 9, count: length))
        #expect(padded.count == length + padCount)
        #expect(padded.suffix(padCount).allSatisfy { $0 == UInt8(padCount) })
        #expect(Array(try PushPadding.unpad(padded)) == [UInt8](repeating: 9, count: length))
    }

    @Test(arguments: [
        [], [0], [33], [1, 2, 3, 4, 5], [UInt8](repeating: 7, count: 31) + [2, 3], [5, 5, 5, 5],
        [UInt8](repeating: 0xFF, count: 256),
    ] as [[UInt8]])
    func badPaddingIsRefused(_ bytes: [UInt8]) {
        #expect(throws: PushRefusal.badPadding) { try PushPadding.unpad(bytes) }
    }
}
