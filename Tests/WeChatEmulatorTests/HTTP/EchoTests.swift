// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

/// The echo answered for every unmodelled path: what the proxy tests read to see what was forwarded.
@Suite("Echo over HTTP")
struct EchoTests {
    @Test(
        "the echo reports method, path and the raw query exactly as received",
        arguments: ["GET", "POST", "PUT", "DELETE", "PATCH"])
    func methodPathQuery(method: String) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let query = "b=%2F%20x&a=1+2&access_token=\(token)&empty=&flag&z=%E4%BD%A0"
            let response = try await emulator.send(method, "/cgi-bin/message/custom/send?\(query)", body: "")
            let json = response.json
            #expect(response.errcode == 0)
            #expect(json["method"] as? String == method)
            #expect(json["path"] as? String == "/cgi-bin/message/custom/send")
            #expect(json["query"] as? String == query)
            #expect(json["request_id"] as? String == response.header(EmulatorHeaders.requestID))
        }
    }

    @Test("the echo reports headers (lowercased, repeats joined), host and the UTF-8 body")
    func headersAndBody() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let body = #"{"touser":"o1","msg":"你好"}"#
            let response = try await emulator.send(
                "POST", "/cgi-bin/message/custom/send?access_token=\(token)", body: body,
                headers: [
                    ("Content-Type", "application/json"), ("X-WX-OPENID", "o1"), ("X-Repeat", "a"), ("X-Repeat", "b"),
                ])
            let json = response.json
            let headers = try #require(json["headers"] as? [String: String])
            #expect(headers["content-type"] == "application/json")
            #expect(headers["x-wx-openid"] == "o1")
            #expect(headers["x-repeat"] == "a, b")
            #expect(json["host"] as? String == "127.0.0.1:\(emulator.port)")
            #expect(json["body_length"] as? Int == body.utf8.count)
            #expect(json["body"] as? String == body)
            #expect(json["body_base64"] == nil || json["body_base64"] is NSNull)
        }
    }

    @Test("a body that is not UTF-8 is echoed as base64")
    func binaryBody() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let bytes: [UInt8] = [0xFF, 0x00, 0xC3, 0x28, 0x41]
            let response = try await emulator.client.execute(
                UpstreamRequest(
                    method: "POST", url: emulator.url("/upload?access_token=\(token)"),
                    headers: [("Content-Type", "application/octet-stream")], body: ByteBuffer(bytes: bytes)))
            let json = response.json
            #expect(json["body_length"] as? Int == 5)
            #expect(json["body"] == nil || json["body"] is NSNull)
            #expect(json["body_base64"] as? String == Data(bytes).base64EncodedString())
        }
    }

    @Test("a large upload is echoed whole")
    func largeBody() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            let body = String(repeating: "0123456789", count: 300_000)
            let response = try await emulator.send("POST", "/big?access_token=\(token)", body: body)
            #expect(response.json["body_length"] as? Int == 3_000_000)
        }
    }

    @Test("every response carries a distinct request id and every call is counted by path")
    func requestIDsAndCounts() async throws {
        try await withEmulator { emulator in
            var ids = Set<String>()
            for target in ["/a", "/a?access_token=x", "/b", "/cgi-bin/token", "/-/emulator/stats"] {
                let response = try await emulator.get(target)
                ids.insert(try #require(response.header(EmulatorHeaders.requestID)))
            }
            #expect(ids.count == 5)
            let stats = emulator.knobs.stats
            #expect(stats.requestsByPath == ["/a": 2, "/b": 1, "/cgi-bin/token": 1])
            #expect(stats.requests == 4)
            #expect(stats.errcodes == [41001: 2, 40001: 1, 40002: 1])
        }
    }
}
