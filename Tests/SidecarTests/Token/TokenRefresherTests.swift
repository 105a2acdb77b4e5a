// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import SidecarCore
import TestSupport
import Testing
import WeChatEmulator

/// The token manager against the emulator over TLS: stable and classic, failures that keep the old token,
/// transient versus configuration errors, forced refreshes and their limits, secrets kept out of logs.
@Suite struct TokenRefresherTests {
    @Test(arguments: ["stable", "classic"])
    func firstTokenIsFetchedAtStartAndWrittenToTheFile(_ mode: String) async throws {
        var options = SidecarHarness.Options()
        options.mode = mode
        try await withSidecar(options) { harness in
            let token = try #require(harness.app.tokens.validToken())
            try await eventually("the token file") {
                (try? String(contentsOfFile: harness.tokenFile, encoding: .utf8)) == token.value
            }
            #expect(harness.emulator.knobs.check(token: token.value) == .valid)
            let stats = harness.emulator.knobs.stats
            #expect(mode == "stable" ? stats.stableTokenGrants >= 1 : stats.classicTokensIssued >= 1)
        }
    }

    @Test func failedRefreshKeepsTheOldTokenAndTheFile() async throws {
        try await withSidecar { harness in
            let before = try #require(harness.app.tokens.validToken())
            try await eventually("the token file") { FileManager.default.fileExists(atPath: harness.tokenFile) }
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/stable_token", action: .errcode(-1, errmsg: nil)))
            let result = await harness.app.refresher.refresh()
            guard case .failure(let error) = result else {
                Issue.record("expected a failure, got \(result)")
                return
            }
            #expect(error.pace == .fast)
            #expect(!error.isConfigurationError)
            #expect(harness.app.tokens.validToken() == before)
            #expect(harness.app.tokens.current.lastResult == "error")
            #expect(try String(contentsOfFile: harness.tokenFile, encoding: .utf8) == before.value)
            let proxied = try await harness.send("POST", "/wxa/msg_sec_check", body: #"{"version":2,"openid":"o","scene":1,"content":"hi"}"#)
            #expect(proxied.errcode == 0)
        }
    }

    struct ConfigurationErrorCase: Sendable, CustomTestStringConvertible {
        var errcode: Int
        var fix: String
        var testDescription: String { "errcode \(errcode)" }
    }

    @Test(arguments: [
        ConfigurationErrorCase(errcode: 40164, fix: "IP whitelist"),
        ConfigurationErrorCase(errcode: 40125, fix: "AppSecret"),
        ConfigurationErrorCase(errcode: 40013, fix: "AppID"),
        ConfigurationErrorCase(errcode: 40243, fix: "frozen"),
        ConfigurationErrorCase(errcode: 89503, fix: "admin"),
    ])
    func configurationErrorsAreReportedWithTheFixAndRetriedSlowly(_ errorCase: ConfigurationErrorCase) async throws {
        try await withSidecar { harness in
            harness.emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/cgi-bin/stable_token", action: .errcode(errorCase.errcode, errmsg: nil)))
            guard case .failure(let error) = await harness.app.refresher.refresh() else {
                Issue.record("expected a failure")
                return
            }
            #expect(error.isConfigurationError)
            #expect(error.pace == .slow)
            #expect(error.label == "errcode_\(errorCase.errcode)")
            #expect(harness.app.tokens.current.lastResult == "config_error")
            #expect(harness.logs.all.contains { $0.contains("errcode \(errorCase.errcode)") && $0.contains(errorCase.fix) },
                "logs: \(harness.logs.text)")
            let next = try #require(harness.app.tokens.current.nextRefreshAt)
            #expect(next - WallClock.now() >= 29, "a configuration error must not be retried within seconds")
        }
    }

    @Test func transportFailuresAreTransient() async throws {
        try await withSidecar { harness in
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/stable_token", action: .dropConnection))
            guard case .failure(let error) = await harness.app.refresher.refresh() else {
                Issue.record("expected a failure")
                return
            }
            #expect(error.pace == .fast)
            #expect(error.label.hasPrefix("transport_"))
            let next = try #require(harness.app.tokens.current.nextRefreshAt)
            #expect(next - WallClock.now() <= 1.5)
        }
    }

    @Test func startWithoutAReachableTokenEndpointIsNotReadyThenRecovers() async throws {
        var options = SidecarHarness.Options()
        options.waitForToken = false
        // Every token fetch fails until the fault is cleared: no token can exist while it is in force.
        options.emulatorFaults = [EmulatorFault(pathPrefix: "/cgi-bin/stable_token", action: .httpStatus(500, body: "down"))]
        try await withSidecar(options) { harness in
            try await eventually("two failed token fetches") {
                harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token") >= 2
            }
            let notReady = try await harness.send("GET", "/-/ready")
            #expect(notReady.status == 503)
            #expect(harness.app.tokens.validToken() == nil)
            harness.emulator.knobs.clearFaults()
            try await withTimeout(.seconds(20), "the first token after two failures") { await harness.app.tokens.waitForToken() }
            #expect(try await harness.send("GET", "/-/ready").status == 200)
            #expect(harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token") >= 3)
        }
    }

    /// WeChat's own probe of the token (``TokenProbe``) answers 40001: the token is dead as far as WeChat is concerned.
    static let probeSaysDead = EmulatorFault(
        pathPrefix: TokenProbe.path, action: .errcode(40001, errmsg: "invalid credential, access_token is invalid or not latest"))

    @Test func stableRecoveryUsesANormalFetchWhenThatAlreadyReturnsANewToken() async throws {
        try await withSidecar { harness in
            let original = try #require(harness.app.tokens.validToken())
            harness.emulator.knobs.invalidateAllTokens()
            let recovered = try #require(await harness.app.refresher.recover(from: original.value))
            #expect(recovered.value != original.value)
            #expect(harness.emulator.knobs.check(token: recovered.value) == .valid)
            #expect(harness.emulator.knobs.stats.forceRefreshRequests == 0)
        }
    }

    @Test func stableForceRefreshHappensOnlyWhenANormalFetchReturnsTheFailingTokenAndAtMostOnceIn30Seconds() async throws {
        try await withSidecar { harness in
            // WeChat rejects a token (its probe says so) that its stable endpoint still hands out: only a force helps.
            harness.emulator.knobs.addFault(Self.probeSaysDead)
            let original = try #require(harness.app.tokens.validToken())
            let recovered = try #require(await harness.app.refresher.recover(from: original.value))
            #expect(recovered.value != original.value)
            #expect(harness.emulator.knobs.check(token: recovered.value) == .valid)
            #expect(harness.emulator.knobs.stats.forceRefreshRequests == 1)
            // A second rejection within 30 s: no second force.
            #expect(await harness.app.refresher.recover(from: recovered.value) == nil)
            #expect(harness.emulator.knobs.stats.forceRefreshRequests == 1)
            #expect(harness.app.tokens.current.forcesUsed == 1)
            #expect(harness.metric(#"wxsidecar_token_forced_refreshes_total{result="too_soon"}"#) == 1)
        }
    }

    @Test func classicRecoveryFetchesANewTokenOnceIn30Seconds() async throws {
        var options = SidecarHarness.Options()
        options.mode = "classic"
        try await withSidecar(options) { harness in
            harness.emulator.knobs.addFault(Self.probeSaysDead)
            let original = try #require(harness.app.tokens.validToken())
            let issued = harness.emulator.knobs.stats.classicTokensIssued
            let recovered = try #require(await harness.app.refresher.recover(from: original.value))
            #expect(recovered.value != original.value)
            #expect(harness.emulator.knobs.stats.classicTokensIssued == issued + 1)
            #expect(await harness.app.refresher.recover(from: recovered.value) == nil)
            #expect(harness.emulator.knobs.stats.classicTokensIssued == issued + 1)
        }
    }

    @Test func recoveryUsesANewerHeldTokenWithoutFetching() async throws {
        try await withSidecar { harness in
            let current = try #require(harness.app.tokens.validToken())
            let fetchesBefore = harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token")
            let answer = await harness.app.refresher.recover(from: "an-older-token-that-failed")
            #expect(answer == current)
            #expect(harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token") == fetchesBefore)
        }
    }

    @Test func concurrentRecoveriesShareOneForcedRefresh() async throws {
        try await withSidecar { harness in
            harness.emulator.knobs.addFault(Self.probeSaysDead)
            let original = try #require(harness.app.tokens.validToken())
            let refresher = harness.app.refresher
            let answers = await withTaskGroup(of: AccessToken?.self) { group in
                for _ in 0..<50 { group.addTask { await refresher.recover(from: original.value) } }
                return await group.reduce(into: [AccessToken?]()) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0 != nil && $0?.value != original.value })
            #expect(Set(answers.compactMap { $0?.value }).count == 1)
            #expect(harness.emulator.knobs.stats.forceRefreshRequests == 1)
        }
    }

    @Test func refreshComesEarlierWhenExpiresInDemandsIt() async throws {
        var options = SidecarHarness.Options()
        options.tokenLifetime = 366  // next refresh at 366 - 300 - 60 = 6 s
        try await withSidecar(options) { harness in
            let first = try #require(harness.app.tokens.validToken())
            let next = try #require(harness.app.tokens.current.nextRefreshAt)
            #expect(abs(next - first.fetchedAt - 6) < 1)
            // Move the emulator inside its rotation window so the scheduled fetch gets a new token.
            harness.emulator.knobs.advanceClock(by: 100)
            try await eventually("the scheduled refresh to rotate the token", timeout: .seconds(20)) {
                harness.app.tokens.validToken()?.value != first.value
            }
            let second = try #require(harness.app.tokens.validToken())
            try await eventually("the file to follow") {
                (try? String(contentsOfFile: harness.tokenFile, encoding: .utf8)) == second.value
            }
        }
    }

    @Test func removedTokenFileIsWrittenAgain() async throws {
        try await withSidecar { harness in
            let token = try #require(harness.app.tokens.validToken())
            try await eventually("the token file") { FileManager.default.fileExists(atPath: harness.tokenFile) }
            try FileManager.default.removeItem(atPath: harness.tokenFile)
            try await eventually("the token file to come back", timeout: .seconds(15)) {
                (try? String(contentsOfFile: harness.tokenFile, encoding: .utf8)) == token.value
            }
        }
    }

    @Test(arguments: ["stable", "classic"])
    func theSecretAndTheFullTokenNeverAppearInLogs(_ mode: String) async throws {
        var options = SidecarHarness.Options()
        options.mode = mode
        try await withSidecar(options) { harness in
            let token = try #require(harness.app.tokens.validToken())
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/", action: .errcode(40125, errmsg: nil), count: 1))
            _ = await harness.app.refresher.refresh()
            _ = await harness.app.refresher.refresh()
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/", action: .dropConnection, count: 1))
            _ = await harness.app.refresher.refresh()
            _ = try await harness.send("POST", "/wxa/msg_sec_check?cloudbase_access_token=\(token.value)", body: "{}")
            let status = try await harness.send("GET", "/-/status")
            let metrics = try await harness.send("GET", "/-/metrics")
            let latest = harness.app.tokens.validToken()?.value ?? token.value
            for text in [harness.logs.text, status.text, metrics.text] {
                #expect(!text.contains(SidecarHarness.secret))
                #expect(!text.contains(token.value))
                #expect(!text.contains(latest))
            }
            #expect(harness.logs.contains(token.fingerprint))
            #expect(status.text.contains(latest.isEmpty ? "-" : harness.app.tokens.validToken()!.fingerprint))
        }
    }
}
