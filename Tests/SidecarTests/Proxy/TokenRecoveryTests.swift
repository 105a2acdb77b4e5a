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
        let errcode = TokenErrorDetector.errcode(contentType: detection.contentType, body: ByteBuffer(string: detection.body))
        #expect(errcode == detection.errcode)
    }
}
