// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// `POST /-/token/refresh`: apps that read the token file report the token WeChat rejected; the sidecar refreshes
/// only if that token is still the current one, once for any number of reports, and never answers with a token.
@Suite struct TokenRefreshEndpointTests {
    @Test func aHundredReportsOfTheSameDeadTokenCauseOneRefresh() async throws {
        try await withSidecar { harness in
            let dead = try #require(harness.app.tokens.validToken())
            harness.emulator.knobs.invalidateAllTokens()
            let tokenCallsBefore = harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token")
            let answers = try await withThrowingTaskGroup(of: UpstreamResponse.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await harness.send("POST", "/-/token/refresh", body: #"{"stale":"\#(dead.value)"}"#) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let fresh = try #require(harness.app.tokens.validToken())
            #expect(fresh.value != dead.value)
            #expect(harness.emulator.knobs.check(token: fresh.value) == .valid)
            // Reports that arrive once the new token is in find the dead one no longer current.
            let results = answers.map { $0.json["result"] as? String ?? "\($0.status)" }
            #expect(results.allSatisfy { $0 == "refreshed" || $0 == "not_current" }, "\(Set(results))")
            #expect(results.contains("refreshed"))
            #expect(answers.allSatisfy { $0.json["fingerprint"] as? String == fresh.fingerprint })
            #expect(answers.allSatisfy { !$0.text.contains(fresh.value) && !$0.text.contains(dead.value) })
            #expect(harness.emulator.knobs.stats.forceRefreshRequests <= 1)
            #expect(harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token") - tokenCallsBefore <= 2)
            // The file held the new token before the first answer came back.
            #expect(harness.tokenFileContent == fresh.value)
        }
    }

    @Test func aReportOfATokenThatIsNotCurrentRefreshesNothing() async throws {
        try await withSidecar { harness in
            let current = try #require(harness.app.tokens.validToken())
            let before = harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token")
            // The current token with its last character changed (to one it does not end with).
            let oneOff = String(current.value.dropLast()) + (current.value.hasSuffix("x") ? "y" : "x")
            for stale in ["an-old-token-value", oneOff] {
                let answer = try await harness.send("POST", "/-/token/refresh", body: #"{"stale":"\#(stale)"}"#)
                #expect(answer.status == 200)
                #expect(answer.json["result"] as? String == "not_current")
                #expect(answer.json["fingerprint"] as? String == current.fingerprint)
            }
            // The current token, alive: the probe says so and nothing is fetched either.
            let alive = try await harness.send("POST", "/-/token/refresh", body: #"{"stale":"\#(current.value)"}"#)
            #expect(alive.json["result"] as? String == "not_refreshed")
            #expect(harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token") == before)
            #expect(harness.app.tokens.validToken() == current)
        }
    }

    @Test func aMalformedReportGetsAClearErrorAndTheDaemonKeepsServing() async throws {
        try await withSidecar { harness in
            for body in ["", "{}", #"{"stale":""}"#, "[1,2]", #"{"stale":"x","appid":"wx9999999999999999"}"#] {
                let answer = try await harness.send("POST", "/-/token/refresh", body: body)
                #expect([400, 403].contains(answer.status), "\(body): \(answer.text)")
                #expect(answer.errcode != 0, "\(body)")
            }
            let huge = try await harness.send("POST", "/-/token/refresh", body: #"{"stale":""# + String(repeating: "a", count: 20_000) + #""}"#)
            #expect(huge.status == 413)
            #expect(try await harness.checkPasses())
        }
    }
}
