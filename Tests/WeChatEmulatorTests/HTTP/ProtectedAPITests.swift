// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

/// The token check and the three modelled APIs over real sockets.
@Suite("Protected APIs over HTTP")
struct ProtectedAPITests {
    @Test(
        "every protected path checks access_token: missing 41001, unknown 40001",
        arguments: ["/wxa/msg_sec_check", "/wxa/getwxacode", "/tcb/invokecloudfunction", "/some/other/path"])
    func tokenCheck(path: String) async throws {
        try await withEmulator { emulator in
            #expect(try await emulator.post(path, json: "{}").errcode == 41001)
            #expect(try await emulator.post("\(path)?access_token=", json: "{}").errcode == 41001)
            #expect(try await emulator.post("\(path)?access_token=made-up", json: "{}").errcode == 40001)
            let denied = try await emulator.post("\(path)?access_token=made-up", json: "{}")
            #expect(denied.status == 200)
            let message = try #require(denied.json["errmsg"] as? String)
            #expect(message.hasPrefix("invalid credential, access_token is invalid or not latest rid: "))
            #expect(emulator.knobs.stats.requests(to: path) == 4)
        }
    }

    @Test("a token past its natural expiry answers 42001; after invalidation 40001")
    func expiryAndInvalidation() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            emulator.knobs.advanceClock(by: 7200)
            #expect(try await emulator.get("/x?access_token=\(token)").errcode == 42001)
            let fresh = try await emulator.classicToken()
            emulator.knobs.invalidateAllTokens()
            #expect(try await emulator.get("/x?access_token=\(fresh)").errcode == 40001)
            #expect(try await emulator.get("/x?access_token=\(token)").errcode == 40001)
        }
    }

    // MARK: msg_sec_check

    @Test(
        "msg_sec_check judges by marker word",
        arguments: [
            ("hello world", "pass", 100), ("this is RISKY stuff", "risky", 20001),
            ("please review me", "review", 21000),
        ])
    func msgSecCheck(content: String, suggest: String, label: Int) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let body = #"{"version":2,"openid":"o123","scene":2,"content":"\#(content)"}"#
            let response = try await emulator.post("/wxa/msg_sec_check?access_token=\(token)", json: body)
            let json = response.json
            #expect(response.errcode == 0)
            #expect(json["errmsg"] as? String == "ok")
            #expect(json["trace_id"] is String)
            let result = try #require(json["result"] as? [String: Any])
            #expect(result["suggest"] as? String == suggest)
            #expect(result["label"] as? Int == label)
            let detail = try #require(json["detail"] as? [[String: Any]])
            #expect(detail.count == (suggest == "pass" ? 1 : 2))
        }
    }

    @Test(
        "msg_sec_check rejects bad bodies",
        arguments: [
            ("nope", 47001),
            (#"{"version":1,"openid":"o","scene":1,"content":"x"}"#, 40097),
            (#"{"version":2,"openid":"o","scene":5,"content":"x"}"#, 40097),
            (#"{"version":2,"openid":"o","scene":1}"#, 40097),
            (#"{"version":2,"scene":1,"content":"x"}"#, 40003),
            (#"{"version":2,"openid":"o","scene":1,"content":"\#(String(repeating: "字", count: 2501))"}"#, 45002),
        ])
    func msgSecCheckErrors(body: String, errcode: Int) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let response = try await emulator.post("/wxa/msg_sec_check?access_token=\(token)", json: body)
            #expect(response.errcode == errcode)
        }
    }

    @Test("msg_sec_check accepts exactly 2500 characters")
    func msgSecCheckLimit() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let body = #"{"version":2,"openid":"o","scene":1,"content":"\#(String(repeating: "字", count: 2500))"}"#
            #expect(try await emulator.post("/wxa/msg_sec_check?access_token=\(token)", json: body).errcode == 0)
        }
    }

    // MARK: getwxacode

    @Test(
        "getwxacode answers the predictable JPEG bytes, default size or the asked one",
        arguments: [nil, 1 << 20, 8 << 20] as [Int?])
    func wxaCode(size: Int?) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.stableToken().token
            let extra = size.map { #","emulator_image_bytes":\#($0)"# } ?? ""
            let response = try await emulator.post(
                "/wxa/getwxacode?access_token=\(token)", json: #"{"path":"pages/index?id=7","width":280\#(extra)}"#)
            #expect(response.status == 200)
            #expect(response.header("content-type") == "image/jpeg")
            #expect(response.body.readableBytes == size ?? 2048)
            let expected = WxaCodeImage.bytes(path: "pages/index?id=7", width: 280, size: size ?? 2048)
            #expect(Array(response.body.readableBytesView) == expected)
        }
    }

    @Test("getwxacode takes its default size from the knob; errors are JSON")
    func wxaCodeKnobAndErrors() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            emulator.knobs.setImageBytes(10_000)
            let image = try await emulator.post("/wxa/getwxacode?access_token=\(token)", json: #"{"path":"a"}"#)
            #expect(Array(image.body.readableBytesView) == WxaCodeImage.bytes(path: "a", width: 430, size: 10_000))
            let invalid = try await emulator.post("/wxa/getwxacode?access_token=\(token)", json: "{not json")
            #expect(invalid.header("content-type")?.hasPrefix("application/json") == true)
            #expect(invalid.errcode == 47001)
            let noPath = try await emulator.post("/wxa/getwxacode?access_token=\(token)", json: #"{"width":430}"#)
            #expect(noPath.errcode == 40159)
        }
    }

    // MARK: invokecloudfunction

    @Test("invokecloudfunction echoes env, name and body in resp_data")
    func cloudFunction() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let input = #"{"a":1,"text":"你好"}"#
            let response = try await emulator.post(
                "/tcb/invokecloudfunction?access_token=\(token)&env=prod-1a2b&name=getUser", json: input)
            #expect(response.errcode == 0)
            let respData = try #require(response.json["resp_data"] as? String)
            let echo = try #require(
                try JSONSerialization.jsonObject(with: Data(respData.utf8)) as? [String: Any])
            #expect(echo["env"] as? String == "prod-1a2b")
            #expect(echo["name"] as? String == "getUser")
            #expect(echo["body"] as? String == input)
        }
    }

    @Test("invokecloudfunction without env or name answers an errcode", arguments: ["env=e", "name=n", ""])
    func cloudFunctionMissing(query: String) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let response = try await emulator.post(
                "/tcb/invokecloudfunction?access_token=\(token)&\(query)", json: "{}")
            #expect(response.errcode == 40097)
        }
    }
}
