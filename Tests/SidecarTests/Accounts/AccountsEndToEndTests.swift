// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// Several accounts in one sidecar, end to end against the emulator over TLS: `from_appid` chooses the account
/// (and never reaches WeChat), each account has its own token, file, whitelist, quota and recovery.
@Suite struct AccountsEndToEndTests {
    static let main = "wx0123456789abcdef"
    static let news = "wxfedcba9876543210"

    static func options(_ others: [SidecarHarness.Options.OtherAccount] = [.init(name: "news", appid: news)]) -> SidecarHarness.Options {
        var options = SidecarHarness.Options()
        options.otherAccounts = others
        return options
    }

    @Test func fromAppidChoosesTheAccountAndIsNotForwarded() async throws {
        try await withSidecar(Self.options()) { harness in
            let asNews = try await harness.send("GET", "/echo/x?a=1&from_appid=\(Self.news)&b=2")
            #expect(asNews.status == 200)
            #expect(asNews.json["appid"] as? String == Self.news)
            let query = try #require(asNews.json["query"] as? String)
            #expect(!query.contains("from_appid"), "forwarded: \(query)")
            #expect(query.hasSuffix("&a=1&b=2"))
            // The access-log line names the account.
            try await eventually("the access log line") {
                harness.logs.all.contains { $0.contains("url.path=/echo/x") && $0.contains("wxsidecar.appid=\(Self.news)") }
            }
            let asDefault = try await harness.send("GET", "/echo/x?a=1")
            #expect(asDefault.json["appid"] as? String == Self.main)

            // Each account's token, in its own file; ready once both are held; status lists both.
            let newsAccount = try #require(harness.app.accounts.account(appid: Self.news))
            let newsToken = try #require(newsAccount.tokens.validToken())
            #expect(newsToken.value != harness.app.tokens.validToken()?.value)
            #expect(harness.emulator.knobs.appid(ofToken: newsToken.value) == Self.news)
            let newsFile = harness.directory.path("wx/\(Self.news)/cloudbase_access_token")
            try await eventually("the news token file") {
                (try? String(contentsOfFile: newsFile, encoding: .utf8)) == newsToken.value
            }
            #expect(try await harness.readiness() == 200)
            let status = try await harness.send("GET", "/-/status")
            let accounts = try #require(status.json["accounts"] as? [[String: Any]])
            #expect(accounts.map { $0["name"] as? String } == ["main", "news"])
            #expect(accounts.map { $0["appid"] as? String } == [Self.main, Self.news])
            #expect(accounts.allSatisfy { $0["ready"] as? Bool == true })
            #expect(!status.text.contains(newsToken.value))
            #expect(harness.metric(#"wxsidecar_token_refreshes_total{appid="wxfedcba9876543210",result="success"}"#) >= 1)
        }
    }

    @Test func anAppidTheSidecarDoesNotServeIsRefusedAndNothingIsForwarded() async throws {
        try await withSidecar(Self.options()) { harness in
            let refused = try await harness.send("POST", "/wxa/msg_sec_check?from_appid=wx9999999999999999", body: msgSecCheckBody)
            #expect(refused.status == 403)
            #expect(refused.errcode == 40013)
            #expect(refused.text.contains("wx9999999999999999"))
            #expect(harness.emulator.knobs.stats.requests(to: "/wxa/msg_sec_check") == 0)
            // An empty from_appid names no account either.
            #expect(try await harness.send("GET", "/echo/x?from_appid=").status == 403)
            #expect(try await harness.checkPasses())
        }
    }

    @Test func eachAccountHasItsOwnQuota() async throws {
        let options = Self.options([
            .init(name: "news", appid: Self.news, extra: ["    rate_limits: [\"/echo/* 1/minute\"]"])
        ])
        try await withSidecar(options) { harness in
            // news gets one echo a minute; main has no rule.
            #expect(try await harness.send("GET", "/echo/1?from_appid=\(Self.news)").status == 200)
            let limited = try await harness.send("GET", "/echo/2?from_appid=\(Self.news)")
            #expect(limited.status == 429)
            #expect(limited.errcode == 45011)
            for _ in 0..<3 { #expect(try await harness.send("GET", "/echo/3").status == 200) }
            #expect(harness.metric(#"wxsidecar_rate_limited_total{appid="wxfedcba9876543210"}"#) == 1)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/2") == 0)
        }
    }

    @Test func eachAccountHasItsOwnWhitelist() async throws {
        var options = Self.options()
        options.otherAccounts[0].extra = ["    whitelist: { file: \"WHITELIST\" }"]
        try await withNewsWhitelist(options, "/tcb/*\n") { harness in
            // main's whitelist has /echo/*; news's own has only /tcb/*.
            #expect(try await harness.send("GET", "/echo/x").status == 200)
            let denied = try await harness.send("GET", "/echo/x?from_appid=\(Self.news)")
            #expect(denied.status == 403)
            #expect(denied.errcode == 85107)
            let allowed = try await harness.send(
                "POST", "/tcb/invokecloudfunction?from_appid=\(Self.news)&env=e&name=f", body: "{}")
            #expect(allowed.status == 200)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/x") == 1)
        }
    }

    /// Starts with news's whitelist file written first (its path replaces `WHITELIST` in news's lines).
    private func withNewsWhitelist(
        _ options: SidecarHarness.Options, _ text: String, _ body: (SidecarHarness) async throws -> Void
    ) async throws {
        let folder = try TemporaryDirectory(prefix: "wxsidecar-news-whitelist")
        defer { folder.remove() }
        let path = try folder.write(text, to: "whitelist.txt")
        var options = options
        options.otherAccounts[0].extra = options.otherAccounts[0].extra.map { $0.replacingOccurrences(of: "WHITELIST", with: path) }
        try await withSidecar(options, body)
    }

    @Test func aKeyBoundToOneAccountCannotSpendAnothersToken() async throws {
        let folder = try TemporaryDirectory(prefix: "wxsidecar-keys")
        defer { folder.remove() }
        let mainKey = String(repeating: "m", count: 32)
        let newsKey = String(repeating: "n", count: 32)
        let mainKeyFile = try folder.write(mainKey, to: "main.key")
        let newsKeyFile = try folder.write(newsKey, to: "news.key")
        var options = Self.options([.init(name: "news", appid: Self.news, extra: ["    auth: { key_file: \"\(newsKeyFile)\" }"])])
        options.firstAccountExtra = ["    auth: { key_file: \"\(mainKeyFile)\" }"]
        try await withSidecar(options) { harness in
            func call(_ target: String, key: String?) async throws -> (Int, Int?) {
                let response = try await harness.send(
                    "GET", target, headers: key.map { [(name: "x-wxsidecar-key", value: $0)] } ?? [])
                return (response.status, response.errcode)
            }
            #expect(try await call("/echo/a", key: nil).0 == 401)
            #expect(try await call("/echo/a", key: mainKey).0 == 200)
            #expect(try await call("/echo/a?from_appid=\(Self.news)", key: newsKey).0 == 200)
            let crossed = try await call("/echo/a", key: newsKey)
            #expect(crossed.0 == 403)
            #expect(crossed.1 == 48001)
            #expect(try await call("/echo/a?from_appid=\(Self.news)", key: mainKey).0 == 403)
            // The refused calls reached nothing.
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/a") == 2)
            #expect(try await call("/-/healthy", key: nil).0 == 200)
        }
    }

    @Test func oneAccountsWrongCredentialsLeaveTheOthersServingAndReadinessSaysWhich() async throws {
        var options = Self.options()
        options.emulatorServesOtherAccounts = false
        try await withSidecar(options) { harness in
            let news = try #require(harness.app.accounts.account(appid: Self.news))
            try await eventually("news's failed fetch", timeout: .seconds(10)) { news.tokens.current.lastResult == "config_error" }
            #expect(try await harness.checkPasses())
            let ready = try await harness.send("GET", "/-/ready")
            #expect(ready.status == 503)
            #expect(ready.text.contains("news (\(Self.news))"))
            #expect(!ready.text.contains("main ("))
            let status = try await harness.send("GET", "/-/status")
            let accounts = try #require(status.json["accounts"] as? [[String: Any]])
            #expect(accounts[1]["ready"] as? Bool == false)
            #expect(!status.text.contains("secret-of-news"))
            let refused = try await harness.send("GET", "/echo/x?from_appid=\(Self.news)")
            #expect(refused.status == 503)
            #expect(refused.errcode == 85113)
        }
    }

    @Test func aTokenErrorIsRecoveredWithTheChosenAccountsTokenOnly() async throws {
        try await withSidecar(Self.options()) { harness in
            let news = try #require(harness.app.accounts.account(appid: Self.news))
            let mainBefore = try #require(harness.app.tokens.validToken())
            let newsBefore = try #require(news.tokens.validToken())
            harness.emulator.knobs.invalidateTokens(appid: Self.news)
            let answer = try await harness.send("GET", "/echo/after?from_appid=\(Self.news)")
            #expect(answer.status == 200)
            #expect(answer.json["appid"] as? String == Self.news)
            #expect(news.tokens.validToken()?.value != newsBefore.value)
            #expect(harness.app.tokens.validToken()?.value == mainBefore.value)
            #expect(try await harness.send("GET", "/echo/main").json["appid"] as? String == Self.main)
        }
    }

    @Test func fiveAccountsEachHoldTheirOwnToken() async throws {
        let others = (1...4).map { SidecarHarness.Options.OtherAccount(name: "app\($0)", appid: "wx00000000000000\($0)0") }
        try await withSidecar(Self.options(others)) { harness in
            #expect(harness.app.accounts.all.count == 5)
            let tokens = harness.app.accounts.all.compactMap { $0.tokens.validToken()?.value }
            #expect(Set(tokens).count == 5)
            for account in others {
                let answer = try await harness.send("GET", "/echo/x?from_appid=\(account.appid)")
                #expect(answer.json["appid"] as? String == account.appid)
            }
            #expect(try await harness.readiness() == 200)
        }
    }
}
