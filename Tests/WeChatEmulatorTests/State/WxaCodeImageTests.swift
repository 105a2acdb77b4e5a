// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import WeChatEmulator

/// The deterministic fake JPEG of `getwxacode`.
@Suite("Wxa code image")
struct WxaCodeImageTests {
    @Test("an image is exactly the asked size, framed by JPEG markers", arguments: [4, 5, 11, 2048, 1 << 20])
    func shape(size: Int) {
        let image = WxaCodeImage.bytes(path: "pages/index", width: 430, size: size)
        #expect(image.count == size)
        #expect(image.prefix(2) == [0xFF, 0xD8])
        #expect(image.suffix(2) == [0xFF, 0xD9])
    }

    @Test("the same request gives the same bytes; another path, width or size gives others")
    func deterministic() {
        let image = WxaCodeImage.bytes(path: "pages/index?x=1", width: 430, size: 4096)
        #expect(image == WxaCodeImage.bytes(path: "pages/index?x=1", width: 430, size: 4096))
        #expect(image != WxaCodeImage.bytes(path: "pages/index?x=2", width: 430, size: 4096))
        #expect(image != WxaCodeImage.bytes(path: "pages/index?x=1", width: 280, size: 4096))
        #expect(image.prefix(64) != WxaCodeImage.bytes(path: "pages/index?x=1", width: 430, size: 4097).prefix(64))
    }

    @Test("sizes outside the range are clamped", arguments: [(0, 4), (-5, 4), (3, 4), (1 << 30, 64 << 20)])
    func clamped(asked: Int, produced: Int) {
        #expect(WxaCodeImage.clampedSize(asked) == produced)
    }

    @Test("the filler is not trivially repetitive")
    func filler() {
        let image = WxaCodeImage.bytes(path: "p", width: 430, size: 65_536)
        #expect(Set(image).count > 200)
    }
}
