// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import TestSupport
import Testing
import WeChatEmulator

/// Several accounts over real sockets: each appid has its own secret, tokens, rotation and force budget, and
/// any account's token opens the APIs.
@Suite("Several accounts over HTTP")
struct AccountTests {
    static let other = EmulatorAccount(appid: "wxfedcba9876543210", secret: "other-secret")
    static let configuration = EmulatorConfiguration(otherAccounts: [other])
    static let primary = EmulatorAccount(appid: configuration.appid, secret: configuration.secret)

    @Test("each account gets its own tokens, classic and stable")
    func separateTokens() async throws {
        try await withEmulator(Self.configuration) { emulator in
            let primary = try await emulator.stableToken()
            let other = try await emulator.stableToken(account: Self.other)
            #expect(primary.token != other.token)
            #expect(try await emulator.stableToken(account: Self.other).token == other.token)
            let classic = try await emulator.classicToken(account: Self.other)
            #expect(try await emulator.get("/x?access_token=\(classic)").errcode == 0)
            #expect(emulator.knobs.currentToken(.stable)?.value == primary.token)
            #expect(emulator.knobs.currentToken(.stable, appid: Self.other.appid)?.value == other.token)
            #expect(emulator.knobs.currentToken(.classic, appid: Self.other.appid)?.value == classic)
            #expect(emulator.knobs.appid(ofToken: other.token) == Self.other.appid)
            #expect(emulator.knobs.appid(ofToken: primary.token) == Self.primary.appid)
            #expect(emulator.knobs.appid(ofToken: "never-issued") == nil)
        }
    }

    @Test(
        "each appid opens only with its own secret; an appid not served is 40013",
        arguments: [
            (primary.appid, other.secret, 40125), (other.appid, primary.secret, 40125),
            ("wxnotserved", other.secret, 40013),
        ])
    func ownSecret(appid: String, secret: String, errcode: Int) async throws {
        try await withEmulator(Self.configuration) { emulator in
            let account = EmulatorAccount(appid: appid, secret: secret)
            let stable = try await emulator.post("/cgi-bin/stable_token", json: emulator.stableBody(account: account))
            #expect(stable.errcode == errcode)
            let classic = try await emulator.get(
                "/cgi-bin/token?grant_type=client_credential&appid=\(appid)&secret=\(secret)")
            #expect(classic.errcode == errcode)
        }
    }

    @Test("one account's forced refresh leaves the other's token unchanged and spends only its own budget")
    func separateForce() async throws {
        try await withEmulator(Self.configuration) { emulator in
            let primary = try await emulator.stableToken()
            let other = try await emulator.stableToken(account: Self.other)
            let forced = try await emulator.stableToken(force: true)
            #expect(forced.token != primary.token)
            #expect(try await emulator.stableToken(account: Self.other).token == other.token)
            // The primary account's force was just now; the other account's 30 s interval is its own.
            let otherForced = try await emulator.stableToken(force: true, account: Self.other)
            #expect(otherForced.token != other.token)
            #expect(try await emulator.get("/x?access_token=\(forced.token)").errcode == 0)
            #expect(emulator.knobs.stats.forcedRotations == 2)
        }
    }

    @Test("invalidating one account's tokens leaves the other's valid; invalidating all kills both")
    func separateInvalidation() async throws {
        try await withEmulator(Self.configuration) { emulator in
            let primary = try await emulator.stableToken().token
            let other = try await emulator.stableToken(account: Self.other).token
            emulator.knobs.invalidateTokens(appid: Self.primary.appid)
            #expect(try await emulator.get("/x?access_token=\(primary)").errcode == 40001)
            #expect(try await emulator.get("/x?access_token=\(other)").errcode == 0)
            let renewed = try await emulator.stableToken().token
            #expect(
                try await emulator.send("POST", "/-/emulator/invalidate?appid=\(Self.other.appid)").status == 200)
            #expect(try await emulator.get("/x?access_token=\(other)").errcode == 40001)
            #expect(try await emulator.get("/x?access_token=\(renewed)").errcode == 0)
            let otherRenewed = try await emulator.stableToken(account: Self.other).token
            emulator.knobs.invalidateAllTokens()
            #expect(emulator.knobs.check(token: renewed) == .invalid)
            #expect(emulator.knobs.check(token: otherRenewed) == .invalid)
        }
    }

    @Test("the echo and every API past the token check report the appid the call ran as")
    func echoReportsAppID() async throws {
        try await withEmulator(Self.configuration) { emulator in
            for account in [Self.primary, Self.other] {
                let token = try await emulator.stableToken(account: account).token
                let echo = try await emulator.get("/cgi-bin/user/info?access_token=\(token)")
                #expect(echo.json["appid"] as? String == account.appid)
                #expect(echo.header(EmulatorHeaders.appID) == account.appid)
                let check = try await emulator.post(
                    "/wxa/msg_sec_check?access_token=\(token)",
                    json: #"{"version":2,"openid":"o1","scene":1,"content":"hello"}"#)
                #expect(check.errcode == 0)
                #expect(check.header(EmulatorHeaders.appID) == account.appid)
            }
            let denied = try await emulator.get("/cgi-bin/user/info?access_token=nope")
            #expect(denied.header(EmulatorHeaders.appID) == nil)
        }
    }

    @Test("requests are counted per appid as well as per path")
    func statsPerAppID() async throws {
        try await withEmulator(Self.configuration) { emulator in
            let other = try await emulator.stableToken(account: Self.other).token
            _ = try await emulator.get("/x?access_token=\(other)")
            _ = try await emulator.get("/x?access_token=\(other)")
            _ = try await emulator.stableToken()
            _ = try await emulator.get("/x?access_token=unknown")
            let stats = emulator.knobs.stats
            #expect(stats.requests(to: "/x") == 3)
            #expect(stats.requests(to: "/x", appid: Self.other.appid) == 2)
            #expect(stats.requests(to: "/cgi-bin/stable_token", appid: Self.other.appid) == 1)
            #expect(stats.requests(to: "/cgi-bin/stable_token", appid: Self.primary.appid) == 1)
            #expect(stats.requests(appid: Self.other.appid) == 3)
            let json = try await emulator.get("/-/emulator/stats").json
            let byAppID = try #require(json["requests_by_appid"] as? [String: [String: Int]])
            #expect(byAppID[Self.other.appid] == ["/cgi-bin/stable_token": 1, "/x": 2])
        }
    }

    @Test("the knobs list the accounts, check any account's token, and refuse an appid not served")
    func knobs() async throws {
        try await withEmulator(Self.configuration) { emulator in
            let accounts = try await emulator.get("/-/emulator/accounts").json
            #expect(accounts["appids"] as? [String] == [Self.primary.appid, Self.other.appid])
            let token = try await emulator.stableToken(account: Self.other).token
            let check = try await emulator.get("/-/emulator/check?access_token=\(token)")
            #expect(check.json["check"] as? String == "valid")
            #expect(check.json["appid"] as? String == Self.other.appid)
            let tokens = try await emulator.get("/-/emulator/tokens?appid=\(Self.other.appid)").json
            #expect((7190...7200).contains((tokens["stable"] as? [String: Any])?["expires_in"] as? Int ?? 0))
            let unknown = try await emulator.get("/-/emulator/check?access_token=nope")
            #expect(unknown.text == #"{"appid":null,"check":"invalid"}"#)
            #expect(try await emulator.get("/-/emulator/tokens?appid=wxnotserved").status == 400)
            #expect(try await emulator.send("POST", "/-/emulator/invalidate?appid=wxnotserved").status == 400)
        }
    }
}
