// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
@testable import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// When WeChat says the token is no good (40001, 40014, 42001), the proxy gets a fresh one and retries once.
@Suite struct TokenRecoveryTests {
    @Test func callsSucceedAfterTheEmulatorInvalidatesEveryToken() async throws {
        try await withSidecar { harness in
            let before = try #require(harness.app.tokens.validToken())
            harness.emulator.knobs.invalidateAllTokens()
            let response = try await harness.send("POST", "/wxa/msg_sec_check", body: #"{"version":2,"openid":"o","scene":1,"content":"hi"}"#)
            #expect(response.status == 200)
            #expect(response.errcode == 0)
            #expect(harness.app.tokens.validToken()?.value != before.value)
            #expect(harness.emulator.knobs.stats.requests(to: "/wxa/msg_sec_check") == 2)
            #expect(harness.logs.contains("wxsidecar.token.retried=true"))
        }
    }

    @Test(arguments: [40001, 40014, 42001])
    func anAPIThatRejectsAHealthyTokenIsNotRetriedAndForcesNothing(_ errcode: Int) async throws {
        try await withSidecar { harness in
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/", action: .errcode(errcode, errmsg: "token rejected")))
            let response = try await harness.send("GET", "/echo/always-rejected")
            #expect(response.errcode == errcode)
            // WeChat's probe accepts the token: the answer came from the API, so the call is not retried.
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/always-rejected") == 1)
            #expect(harness.emulator.knobs.stats.requests(to: TokenProbe.path) == 1)
            let again = try await harness.send("GET", "/echo/always-rejected")
            #expect(again.errcode == errcode)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/always-rejected") == 2)
            #expect(harness.emulator.knobs.stats.forceRefreshRequests == 0)
        }
    }

    @Test func aDeadTokenIsRetriedOnceWithTheForcedReplacement() async throws {
        try await withSidecar { harness in
            // The API and WeChat's probe both reject the token while the stable endpoint still hands it out.
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/", action: .errcode(40001, errmsg: nil), count: 1))
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: TokenProbe.path, action: .errcode(40001, errmsg: nil), count: 1))
            let before = try #require(harness.app.tokens.validToken())
            let response = try await harness.send("GET", "/echo/dead-token")
            #expect(response.errcode == 0)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/dead-token") == 2)
            #expect(harness.emulator.knobs.stats.forceRefreshRequests == 1)
            #expect(harness.app.tokens.validToken()?.value != before.value)
        }
    }

    /// The access log names WeChat's errcode, read from the answer only for the log: a token error and an
    /// answer without one alike.
    @Test func theAccessLogNamesWeChatsErrcode() async throws {
        try await withSidecar { harness in
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/quota", action: .errcode(45009, errmsg: nil), count: 1))
            let refused = try await harness.send("GET", "/echo/quota")
            #expect(refused.errcode == 45009)
            let passed = try await harness.send("GET", "/echo/fine")
            #expect(passed.status == 200)
            try await eventually("both access log lines") {
                harness.logs.all.contains { $0.contains("url.path=/echo/quota") && $0.contains("wxsidecar.errcode=45009") }
                    && harness.logs.all.contains { $0.contains("url.path=/echo/fine") && $0.contains("wxsidecar.errcode=0") }
            }
        }
    }

    struct DetectionCase: Sendable, CustomTestStringConvertible {
        var contentType: String?
        var body: String
        var errcode: Int?
        var testDescription: String { "\(contentType ?? "none"): \(body.prefix(30))" }
    }

    @Test(arguments: [
        DetectionCase(contentType: "application/json; encoding=utf-8", body: #"{"errcode":40001,"errmsg":"x"}"#, errcode: 40001),
        DetectionCase(contentType: "text/plain", body: #"{"errcode":42001,"errmsg":"x"}"#, errcode: 42001),
        DetectionCase(contentType: "Application/JSON", body: #"{"errcode":0}"#, errcode: 0),
        DetectionCase(contentType: "image/jpeg", body: #"{"errcode":40001,"errmsg":"x"}"#, errcode: nil),
        DetectionCase(contentType: "image/png", body: #"{"errcode":40014}"#, errcode: nil),
        DetectionCase(contentType: "application/octet-stream", body: #"{"errcode":40001}"#, errcode: nil),
        DetectionCase(contentType: nil, body: #"{"errcode":40001}"#, errcode: nil),
        DetectionCase(contentType: "application/json", body: "not json", errcode: nil),
        DetectionCase(contentType: "application/json", body: #"{"result":{"errcode":40001}}"#, errcode: nil),
        DetectionCase(contentType: " application/problem+JSON ; charset=utf-8", body: #"{"errcode":40001}"#, errcode: 40001),
        DetectionCase(contentType: "TEXT/JSON", body: #"{"errcode":40014}"#, errcode: 40014),
        DetectionCase(contentType: "application/jsonx", body: #"{"errcode":40001}"#, errcode: nil),
        DetectionCase(contentType: "", body: #"{"errcode":40001}"#, errcode: nil),
        DetectionCase(contentType: "+json", body: #"{"errcode":40001}"#, errcode: 40001),
        DetectionCase(contentType: "json", body: #"{"errcode":40001}"#, errcode: nil),
    ])
    func onlyJSONTypedAnswersAreReadForErrcodes(_ detection: DetectionCase) {
        let body = ByteBuffer(string: detection.body)
        let errcode = TokenErrorDetector.errcode(contentType: detection.contentType, body: body)
        #expect(errcode == detection.errcode)
        #expect(
            TokenErrorDetector.carriesTokenError(contentType: detection.contentType, body: body)
                == TokenErrorDetector.isTokenError(detection.errcode))
    }

    /// Every spelling of a token errcode the full parse reads as one is seen: fractions are truncated, exponents
    /// scale; other numbers, and the digits elsewhere, are not a token error.
    @Test(arguments: [
        (#"{"errcode":40001,"errmsg":"x"}"#, true),
        (#"{"errmsg":"x","errcode":42001}"#, true),
        (#"{"errcode":40014.99}"#, true),
        (#"{"errcode":4.0001e4}"#, true),
        (#"{"errcode":4000.1E1}"#, true),
        (#"{"errcode":400010e-1}"#, true),
        (#"{"errcode":0.42001e5}"#, true),
        (#"{"errcode":4.2001E+4,"x":[1,2]}"#, true),
        (#"{"errcode":40000.99999999999999999}"#, true),
        (#"{"errcode":4.2000999999999999999999e4}"#, true),
        (#"{"errcode":-40001}"#, false),
        (#"{"errcode":0,"detail":[{"errcode":40001}]}"#, false),
        (#"{"errcode":0,"msg":"40001"}"#, false),
        (#"{"errcode":4e4}"#, false),
        (#"{"errcode":400011}"#, false),
        (#"{"errcode":40001,"#, false),
        (#"{"errcode":0,"errmsg":"ok","trace_id":"3e5"}"#, false),
    ])
    func tokenErrcodesAreFoundInEverySpelling(_ body: String, _ expected: Bool) {
        #expect(TokenErrorDetector.carriesTokenError(contentType: "application/json", body: ByteBuffer(string: body)) == expected)
    }

    /// The cheap look skips the validating pass only where it cannot find a token errcode: answers whose errcode
    /// and another member are numbers spelled every way JSON allows, near the token errcodes and far from them.
    @Test func theCheapLookNeverHidesATokenError() {
        let numbers = Self.spellings()
        var skipped = 0
        var tokenErrors = 0
        for errcode in numbers {
            for other in ["0", "7.5", "1e3", #""40001""#] {
                let body = ByteBuffer(string: #"{"errcode":\#(errcode),"n":\#(other)}"#)
                let read = TokenErrorDetector.errcode(contentType: "application/json", body: body)
                if TokenErrorDetector.isTokenError(read) { tokenErrors += 1 }
                guard !body.withUnsafeReadableBytes(TokenErrorDetector.mayHoldTokenErrcode) else { continue }
                skipped += 1
                #expect(!TokenErrorDetector.isTokenError(read), "\(String(buffer: body))")
            }
        }
        #expect(skipped > 500 && tokenErrors > 100, "too few cases to say anything: \(skipped) skipped, \(tokenErrors) token errors")
    }

    /// Numbers around the token errcodes and others, as integers, with fractions (also ones a `Double` rounds up
    /// to the next integer), and with exponents that move the point each possible way (`4.0001e4`, `400010E-1`,
    /// `0.40001e+5`), signed and not.
    static func spellings() -> [String] {
        var spellings: [String] = []
        for base in [40001, 40014, 42001, 0, 1, 4, 40, 400, 4000, 42, 420, 4200, 45009, 400010, 140001] {
            for value in base - 2...base + 2 where value >= 0 {
                let digits = String(value)
                var forms = [
                    digits, digits + ".0", digits + ".99", digits + ".99999999999999999", digits + "0e-1",
                    digits + "00E-2", "0." + digits + "e" + String(digits.count), "0." + digits + "9999999999999e" + String(digits.count),
                ]
                for shift in 1..<digits.count {
                    let cut = digits.index(digits.endIndex, offsetBy: -shift)
                    let point = String(digits[..<cut]) + "." + String(digits[cut...])
                    forms += [point + "e" + String(shift), point + "E+" + String(shift)]
                }
                spellings += forms + forms.map { "-" + $0 }
            }
        }
        return spellings
    }
}
