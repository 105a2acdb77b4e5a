// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
@testable import Sidecar
import Testing

/// The one redaction function, the binary-answer rule, the token probe's reading, the listen check and the key
/// comparison, by tables.
@Suite struct RedactionTableTests {
    static let token = "TOKEN_0123456789abcdefghij"
    static let older = "OLDER_0123456789abcdefghij"

    static func redactor() -> Redactor {
        let redactor = Redactor(secrets: ["s3cr3t-value", "abc"])
        redactor.remember(token: older)
        redactor.remember(token: token)
        return redactor
    }

    @Test(arguments: [
        ("nothing here", "nothing here"),
        ("access_token=\(token)&x=1", "access_token=ACCESS_TOKEN_REDACTED&x=1"),
        ("old \(older) and new \(token)", "old ACCESS_TOKEN_REDACTED and new ACCESS_TOKEN_REDACTED"),
        ("\(token)\(token)", "ACCESS_TOKEN_REDACTEDACCESS_TOKEN_REDACTED"),
        ("secret=s3cr3t-value;", "secret=[redacted];"),
        ("abc is too short to be a secret", "abc is too short to be a secret"),
        ("", ""),
    ])
    func textIsRedacted(_ input: String, _ expected: String) {
        #expect(Self.redactor().redact(input) == expected)
    }

    @Test func aBufferWithoutNeedlesIsNotCopied() {
        #expect(Self.redactor().scrub(ByteBuffer(string: "{\"errcode\":0}")) == nil)
        let scrubbed = Self.redactor().scrub(ByteBuffer(string: "{\"u\":\"access_token=\(Self.token)\"}"))
        #expect(scrubbed.map { String(buffer: $0) } == "{\"u\":\"access_token=ACCESS_TOKEN_REDACTED\"}")
    }

    @Test func onlyTheLatestTokensAreRemembered() {
        let redactor = Redactor(secrets: [])
        for index in 0..<(Redactor.recentTokenLimit + 3) { redactor.remember(token: "token-number-\(index)") }
        #expect(redactor.rememberedTokens == Redactor.recentTokenLimit)
        #expect(redactor.exposes("token-number-\(Redactor.recentTokenLimit + 2)"))
        #expect(!redactor.exposes("token-number-0 "))
    }

    @Test(arguments: [
        ("image/jpeg", true), ("IMAGE/PNG; q=1", true), (" audio/amr", true), ("video/mp4", true),
        ("application/octet-stream", true), ("application/json; encoding=utf-8", false), ("text/html", false),
        ("text/plain", false), (nil, false), ("application/xml", false), ("image/", true), ("image", false),
        ("application/octet-stream ;x", true), ("application/octet-streams", false), ("", false),
        ("\timage/gif\t", true), ("x-image/png", false),
    ] as [(String?, Bool)])
    func binaryAnswersAreKnownByTheirMIMEType(_ contentType: String?, _ binary: Bool) {
        #expect(AnswerKind.isBinary(contentType: contentType) == binary)
    }

    @Test(arguments: [
        (200, #"{"ip_list":["1.2.3.4"]}"#, TokenProbe.Verdict.alive),
        (200, #"{"errcode":0,"errmsg":"ok","ip_list":[]}"#, .alive),
        (200, #"{"errcode":40001,"errmsg":"invalid credential"}"#, .dead(errcode: 40001)),
        (200, #"{"errcode":42001,"errmsg":"expired"}"#, .dead(errcode: 42001)),
        (200, #"{"errcode":40014,"errmsg":"invalid"}"#, .dead(errcode: 40014)),
        (200, #"{"errcode":-1,"errmsg":"busy"}"#, .unknown("errcode")),
        (200, "not json", .unknown("malformed")),
        (503, "{}", .unknown("http_503")),
    ])
    func theProbesAnswerIsRead(_ status: Int, _ body: String, _ verdict: TokenProbe.Verdict) {
        #expect(TokenProbe.verdict(status: status, body: Data(body.utf8)) == verdict)
    }

    @Test(arguments: [
        ("127.0.0.1:8098", true), ("127.1.2.3:1", true), ("[::1]:8098", true), ("localhost:8098", true),
        ("LOCALHOST:1", true), ("[::ffff:127.0.0.1]:1", true), ("127.evil.example:8098", false),
        ("127.0.0.1.nip.io:1", false), ("0.0.0.0:8098", false), ("10.0.0.1:1", false), ("[::]:1", false),
        ("127.0.0.01:1", false), ("example.com:80", false),
    ])
    func onlyLiteralLoopbackAddressesCountAsLoopback(_ listen: String, _ loopback: Bool) throws {
        let address = try #require(ListenAddress(parsing: listen))
        #expect(address.isLoopback == loopback)
    }

    @Test(arguments: [
        ("key", "key", true), ("key", "kez", false), ("key", "", false),
        // Lengths that differ by 256 with NUL padding: equal if the length difference were folded into 8 bits.
        ("k", "k" + String(repeating: "\u{0}", count: 256), false), ("", String(repeating: "\u{0}", count: 256), false),
        (String(repeating: "a", count: 300), String(repeating: "a", count: 44), false),
    ])
    func callerKeysCompareWholeLengths(_ lhs: String, _ rhs: String, _ equal: Bool) {
        #expect(CallerGate.constantTimeEqual(Array(lhs.utf8), Array(rhs.utf8)) == equal)
    }
}
