// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

/// The knobs over HTTP (`/-/emulator/...`), as a separate process would be driven with curl.
@Suite("Knob endpoints over HTTP")
struct KnobEndpointTests {
    @Test("stats count by path and errcode; DELETE zeroes them; knob calls are not counted")
    func stats() async throws {
        try await withEmulator { emulator in
            _ = try await emulator.classicToken()
            _ = try await emulator.get("/wxa/x")
            let stats = try await emulator.get("/-/emulator/stats").json
            #expect(stats["requests"] as? Int == 2)
            #expect(stats["classic_tokens_issued"] as? Int == 1)
            let byPath = try #require(stats["requests_by_path"] as? [String: Int])
            #expect(byPath == ["/cgi-bin/token": 1, "/wxa/x": 1])
            #expect(stats["errcodes"] as? [String: Int] == ["41001": 1])
            let cleared = try await emulator.send("DELETE", "/-/emulator/stats").json
            #expect(cleared["requests"] as? Int == 0)
            #expect(emulator.knobs.stats == EmulatorStats())
        }
    }

    @Test("POST advance moves the emulator clock: a token expires (42001)")
    func advance() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let answer = try await emulator.send("POST", "/-/emulator/advance?seconds=7200").json
            #expect(answer["clock_offset"] as? Double == 7200)
            #expect(emulator.knobs.clockOffset == 7200)
            #expect(try await emulator.get("/x?access_token=\(token)").errcode == 42001)
            let clock = try await emulator.get("/-/emulator/clock").json
            #expect(clock["clock_offset"] as? Double == 7200)
            #expect(try await emulator.send("POST", "/-/emulator/advance?seconds=soon").status == 400)
        }
    }

    @Test("POST invalidate makes every token answer 40001")
    func invalidate() async throws {
        try await withEmulator { emulator in
            let classic = try await emulator.classicToken()
            let stable = try await emulator.stableToken().token
            #expect(try await emulator.send("POST", "/-/emulator/invalidate").status == 200)
            #expect(try await emulator.get("/x?access_token=\(classic)").errcode == 40001)
            #expect(try await emulator.get("/x?access_token=\(stable)").errcode == 40001)
            #expect(try await emulator.stableToken().token != stable)
        }
    }

    @Test("faults are added, listed with their uses left, and cleared over HTTP")
    func faults() async throws {
        try await withEmulator { emulator in
            let added = try await emulator.post(
                "/-/emulator/fault", json: #"{"path":"/cgi-bin/token","count":2,"action":"errcode","errcode":-1}"#)
            #expect(added.status == 200)
            #expect(try await emulator.get("/cgi-bin/token").errcode == -1)
            let listed = try await emulator.get("/-/emulator/fault")
            let list = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.body.readableBytesView)) as? [[String: Any]])
            #expect(list.count == 1)
            #expect(list.first?["count"] as? Int == 1)
            #expect(list.first?["action"] as? String == "errcode")
            _ = try await emulator.send("DELETE", "/-/emulator/fault")
            #expect(emulator.knobs.faults.isEmpty)
            #expect(try await emulator.get("/cgi-bin/token").errcode == 40002)
            let bad = try await emulator.post("/-/emulator/fault", json: #"{"action":"explode"}"#)
            #expect(bad.status == 400)
        }
    }

    @Test("a drop fault posted over HTTP drops the next calls; libcurl retries once on a fresh connection")
    func dropOverHTTP() async throws {
        try await withEmulator { emulator in
            _ = try await emulator.post("/-/emulator/fault", json: #"{"path":"/x","count":2,"action":"drop"}"#)
            // The connection used for the POST is reused: libcurl resends a request whose reused connection closed
            // before any byte of answer, so the caller only sees the second drop.
            let error = await #expect(throws: CurlError.self) { _ = try await emulator.get("/x") }
            #expect(error?.kind == .emptyReply)
            #expect(emulator.knobs.stats.requests(to: "/x") == 2)
            #expect(try await emulator.get("/x").errcode == 41001)
        }
    }

    @Test("settings are read and changed in part over HTTP")
    func settings() async throws {
        try await withEmulator { emulator in
            let initial = try await emulator.get("/-/emulator/settings").json
            #expect(initial["token_lifetime"] as? Int == 7200)
            #expect(initial["overlap"] as? Int == 300)
            #expect(initial["image_bytes"] as? Int == 2048)
            let changed = try await emulator.post("/-/emulator/settings", json: #"{"token_lifetime":60,"overlap":5}"#)
            #expect(changed.json["token_lifetime"] as? Int == 60)
            #expect(changed.json["image_bytes"] as? Int == 2048)
            #expect(try await emulator.stableToken().expiresIn == 60)
            #expect(emulator.knobs.settings == EmulatorSettings(tokenLifetime: 60, overlap: 5, imageBytes: 2048))
        }
    }

    @Test("tokens shows the current tokens by fingerprint only")
    func tokens() async throws {
        try await withEmulator { emulator in
            let empty = try await emulator.get("/-/emulator/tokens")
            #expect(empty.text == #"{"classic":null,"stable":null}"#)
            let token = try await emulator.classicToken()
            let listed = try await emulator.get("/-/emulator/tokens")
            #expect(!listed.text.contains(token))
            let classic = try #require(listed.json["classic"] as? [String: Any])
            #expect((7170...7200).contains(classic["expires_in"] as? Int ?? 0))
            #expect((classic["fingerprint"] as? String)?.count == 16)
        }
    }

    @Test("reset returns everything to the start")
    func reset() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            emulator.knobs.advanceClock(by: 100)
            emulator.knobs.setOverlap(1)
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/nothing", action: .dropConnection))
            #expect(try await emulator.send("POST", "/-/emulator/reset").status == 200)
            #expect(emulator.knobs.clockOffset == 0)
            #expect(emulator.knobs.settings == EmulatorSettings())
            #expect(emulator.knobs.faults.isEmpty)
            #expect(emulator.knobs.stats == EmulatorStats())
            #expect(try await emulator.get("/x?access_token=\(token)").errcode == 40001)
        }
    }

    @Test(
        "unknown knobs answer 404, wrong methods 405",
        arguments: [
            ("GET", "/-/emulator/nothing", 404), ("PUT", "/-/emulator/stats", 405),
            ("GET", "/-/emulator/invalidate", 405),
        ])
    func unknown(method: String, target: String, status: Int) async throws {
        try await withEmulator { emulator in
            let response = try await emulator.send(method, target)
            #expect(response.status == status)
            #expect(response.json["error"] is String)
        }
    }
}
