// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import TestSupport
import Testing
import WeChatEmulator

/// The token endpoints over real sockets.
@Suite("Token endpoints over HTTP")
struct TokenEndpointTests {
    static let appid = EmulatorConfiguration().appid
    static let secret = EmulatorConfiguration().secret

    @Test("a classic fetch answers a 136-character token and expires_in 7200, as JSON, with a request id")
    func classicSuccess() async throws {
        try await withEmulator { emulator in
            let response = try await emulator.get(
                "/cgi-bin/token?grant_type=client_credential&appid=\(Self.appid)&secret=\(Self.secret)")
            #expect(response.status == 200)
            #expect(response.header("content-type")?.hasPrefix("application/json") == true)
            #expect(response.header(EmulatorHeaders.requestID)?.isEmpty == false)
            #expect((response.json["access_token"] as? String)?.count == 136)
            #expect(response.json["expires_in"] as? Int == 7200)
            #expect(emulator.knobs.stats.classicTokensIssued == 1)
        }
    }

    @Test(
        "classic credential errors arrive as HTTP 200 with an errcode",
        arguments: [
            ("grant_type=password&appid=\(appid)&secret=\(secret)", 40002),
            ("appid=\(appid)&secret=\(secret)", 40002),
            ("grant_type=client_credential&secret=\(secret)", 41002),
            ("grant_type=client_credential&appid=wxwrong&secret=\(secret)", 40013),
            ("grant_type=client_credential&appid=\(appid)", 41004),
            ("grant_type=client_credential&appid=\(appid)&secret=nope", 40125),
        ])
    func classicErrors(query: String, errcode: Int) async throws {
        try await withEmulator { emulator in
            let response = try await emulator.get("/cgi-bin/token?\(query)")
            #expect(response.status == 200)
            #expect(response.errcode == errcode)
            #expect((response.json["errmsg"] as? String)?.contains(" rid: ") == true)
            #expect(emulator.knobs.stats.classicTokensIssued == 0)
            #expect(emulator.knobs.stats.errcodes[errcode] == 1)
        }
    }

    @Test("the wrong method answers 43002 on both token endpoints")
    func wrongMethod() async throws {
        try await withEmulator { emulator in
            let classic = try await emulator.post(
                "/cgi-bin/token?grant_type=client_credential&appid=\(Self.appid)&secret=\(Self.secret)", json: "{}")
            #expect(classic.errcode == 43002)
            let stable = try await emulator.get("/cgi-bin/stable_token")
            #expect(stable.errcode == 43002)
        }
    }

    @Test(
        "stable body and credential errors",
        arguments: [
            ("not json", 47001),
            (
                #"{"grant_type":"client_credential","appid":"\#(appid)","secret":"\#(secret)","force_refresh":"yes"}"#,
                47001
            ),
            (#"{"grant_type":"x","appid":"\#(appid)","secret":"\#(secret)"}"#, 40002),
            (#"{"grant_type":"client_credential","appid":"wxother","secret":"\#(secret)"}"#, 40013),
            (#"{"grant_type":"client_credential","appid":"\#(appid)","secret":"wrong"}"#, 40125),
        ])
    func stableErrors(body: String, errcode: Int) async throws {
        try await withEmulator { emulator in
            let response = try await emulator.post("/cgi-bin/stable_token", json: body)
            #expect(response.errcode == errcode)
        }
    }

    @Test("the stable token comes back unchanged with its remaining lifetime")
    func stableRemaining() async throws {
        try await withEmulator { emulator in
            let first = try await emulator.stableToken()
            #expect(first.expiresIn == 7200)
            emulator.knobs.advanceClock(by: 6855)
            let again = try await emulator.stableToken()
            #expect(again.token == first.token)
            #expect((320...345).contains(again.expiresIn))
            #expect(emulator.knobs.currentToken(.stable)?.value == first.token)
        }
    }

    @Test("the stable token rotates within 300 s of expiry; the old one keeps working until its expiry")
    func stableRotation() async throws {
        try await withEmulator { emulator in
            let first = try await emulator.stableToken()
            emulator.knobs.advanceClock(by: 6950)
            let rotated = try await emulator.stableToken()
            #expect(rotated.token != first.token)
            #expect(rotated.expiresIn == 7200)
            #expect(try await emulator.get("/wxa/anything?access_token=\(first.token)").errcode == 0)
            emulator.knobs.advanceClock(by: 300)
            #expect(try await emulator.get("/wxa/anything?access_token=\(first.token)").errcode == 42001)
            #expect(try await emulator.get("/wxa/anything?access_token=\(rotated.token)").errcode == 0)
        }
    }

    @Test("a classic re-fetch leaves the previous token 300 s, then it answers 40001")
    func classicOverlap() async throws {
        try await withEmulator { emulator in
            let first = try await emulator.classicToken()
            let second = try await emulator.classicToken()
            #expect(first != second)
            #expect(try await emulator.get("/x?access_token=\(first)").errcode == 0)
            emulator.knobs.advanceClock(by: 301)
            #expect(try await emulator.get("/x?access_token=\(first)").errcode == 40001)
            #expect(try await emulator.get("/x?access_token=\(second)").errcode == 0)
        }
    }

    @Test("force_refresh rotates once per 30 s and the counters show it")
    func forceRefresh() async throws {
        try await withEmulator { emulator in
            let first = try await emulator.stableToken()
            let forced = try await emulator.stableToken(force: true)
            #expect(forced.token != first.token)
            let tooSoon = try await emulator.stableToken(force: true)
            #expect(tooSoon.token == forced.token)
            emulator.knobs.advanceClock(by: 30)
            let again = try await emulator.stableToken(force: true)
            #expect(again.token != forced.token)
            let stats = emulator.knobs.stats
            #expect(stats.forceRefreshRequests == 3)
            #expect(stats.forcedRotations == 2)
            #expect(stats.forcesTooSoon == 1)
            #expect(stats.stableTokenGrants == 4)
            #expect(stats.stableTokensIssued == 3)
            #expect(stats.requests(to: "/cgi-bin/stable_token") == 4)
        }
    }

    @Test("the 21st effective force of the day answers 45009")
    func forceQuota() async throws {
        try await withEmulator { emulator in
            // Start an hour into a Beijing day, so the 20 forces (620 emulated seconds) never cross midnight.
            let beijingSeconds = (emulator.knobs.now + 8 * 3600).truncatingRemainder(dividingBy: 86_400)
            emulator.knobs.advanceClock(by: 86_400 - beijingSeconds + 3600)
            for _ in 0..<20 {
                _ = try await emulator.stableToken(force: true)
                emulator.knobs.advanceClock(by: 31)
            }
            let refused = try await emulator.post("/cgi-bin/stable_token", json: emulator.stableBody(force: true))
            #expect(refused.errcode == 45009)
            #expect(emulator.knobs.stats.forcedRotations == 20)
            let plain = try await emulator.post("/cgi-bin/stable_token", json: emulator.stableBody())
            #expect(plain.errcode == nil)
            #expect(plain.json["access_token"] is String)
        }
    }

    @Test("classic and stable pools are independent over HTTP")
    func independentPools() async throws {
        try await withEmulator { emulator in
            let stable = try await emulator.stableToken()
            _ = try await emulator.classicToken()
            _ = try await emulator.classicToken()
            emulator.knobs.advanceClock(by: 600)
            #expect(try await emulator.get("/x?access_token=\(stable.token)").errcode == 0)
            let classic = try await emulator.classicToken()
            _ = try await emulator.stableToken(force: true)
            #expect(try await emulator.get("/x?access_token=\(classic)").errcode == 0)
        }
    }
}
