// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Sidecar
import Testing

/// The `wx.config` signature against the worked examples of WeChat's JS-SDK appendix 1 (both published versions
/// of it), whose expected values a second implementation (Python's hashlib) reproduces too.
@Suite struct JSSDKSignatureTests {
    static let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"

    @Test(arguments: [
        ("http://mp.weixin.qq.com?params=value", "0f9de62fce790f9a083d5c99e95740ceb90c27ed"),
        ("http://mp.weixin.qq.com", "f4d90daf4b3bca3078ab155816175ba34c443a7b"),
    ])
    func theAppendixWorkedExample(_ url: String, _ expected: String) {
        #expect(JSSDKSignature.signature(ticket: Self.ticket, nonceStr: "Wm3WZYTPz0wzccnW", timestamp: 1_414_587_457, url: url) == expected)
    }

    @Test(arguments: [
        ("http://mp.weixin.qq.com?params=value#top", "http://mp.weixin.qq.com?params=value"),
        ("https://example.com/a/b?x=1&y=2", "https://example.com/a/b?x=1&y=2"),
        ("HTTPS://Example.com/#/spa/route", "HTTPS://Example.com/"),
    ])
    func theURLIsSignedWithoutItsFragment(_ url: String, _ signed: String) throws {
        #expect(try JSSDKSignature.signedURL(url).get() == signed)
    }

    @Test(arguments: [
        (nil, JSSDKSignature.Refusal.missingURL),
        ("", .missingURL),
        ("ftp://example.com/x", .notHTTP),
        ("javascript:alert(1)", .notHTTP),
        ("https://", .notHTTP),
        ("https://exa mple.com/", .notHTTP),
        ("https://example.com/" + String(repeating: "a", count: 4100), .tooLong),
    ] as [(String?, JSSDKSignature.Refusal)])
    func aURLThatIsNotAPageIsRefused(_ url: String?, _ refusal: JSSDKSignature.Refusal) {
        #expect(throws: refusal) { try JSSDKSignature.signedURL(url).get() }
    }

    @Test func noncesAreSixteenLettersOrDigitsAndDiffer() {
        let nonces = (0..<50).map { _ in JSSDKSignature.nonce() }
        #expect(nonces.allSatisfy { $0.count == 16 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        #expect(Set(nonces).count == 50)
    }
}
