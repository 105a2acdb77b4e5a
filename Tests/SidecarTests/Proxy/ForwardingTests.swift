// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// The three first-class APIs and the echo end to end: app → sidecar (plain HTTP) → libcurl → emulator (TLS).
@Suite struct ForwardingTests {
    @Test func msgSecCheckIsForwardedWithTheTokenAndAnswersUnchanged() async throws {
        try await withSidecar { harness in
            let response = try await harness.send(
                "POST", "/wxa/msg_sec_check", body: #"{"version":2,"openid":"o1","scene":1,"content":"hello"}"#,
                headers: [("Content-Type", "application/json")])
            #expect(response.status == 200)
            #expect(response.errcode == 0)
            #expect((response.json["result"] as? [String: Any])?["suggest"] as? String == "pass")
            #expect(response.header("x-openapi-seqid")?.isEmpty == false)
            #expect(response.header("content-type")?.hasPrefix("application/json") == true)
        }
    }

    @Test(arguments: [1 << 20, 8 << 20])
    func getwxacodeImagesArePassedThroughByteForByte(_ size: Int) async throws {
        try await withSidecar { harness in
            let response = try await harness.send(
                "POST", "/wxa/getwxacode", body: #"{"path":"pages/index?x=1","width":430,"emulator_image_bytes":\#(size)}"#)
            #expect(response.status == 200)
            #expect(response.header("content-type") == "image/jpeg")
            let expected = WxaCodeImage.bytes(path: "pages/index?x=1", width: 430, size: size)
            #expect(response.body.readableBytes == size)
            #expect(Array(buffer: response.body) == expected)
        }
    }

    @Test func invokeCloudFunctionKeepsEnvAndNameAndTheBody() async throws {
        try await withSidecar { harness in
            let response = try await harness.send(
                "POST", "/tcb/invokecloudfunction?env=prod-1a2b&name=sendMail", body: #"{"to":"a@b.c"}"#)
            #expect(response.errcode == 0)
            let respData = try #require(response.json["resp_data"] as? String)
            #expect(respData.contains("prod-1a2b"))
            #expect(respData.contains("sendMail"))
            #expect(respData.contains("a@b.c"))
        }
    }

    @Test func queryKeepsItsOrderAndCallerTokensAreReplacedByTheSidecars() async throws {
        try await withSidecar { harness in
            let response = try await harness.send(
                "GET", "/echo/query?b=2&access_token=stale&a=1&cloudbase_access_token=cb-stale&c=%20x&a=3")
            #expect(response.status == 200)
            // errcode 0: the emulator accepted the sidecar's token; the echo shows it as the placeholder, first.
            #expect(response.errcode == 0)
            #expect(response.json["query"] as? String == "access_token=\(Redactor.tokenPlaceholder)&b=2&a=1&c=%20x&a=3")
            #expect(response.json["path"] as? String == "/echo/query")
        }
    }

    @Test func endToEndHeadersAreForwardedAndHopByHopOnesAreNot() async throws {
        try await withSidecar { harness in
            let response = try await harness.send(
                "POST", "/echo/headers", body: "payload",
                headers: [
                    ("X-Custom", "kept"), ("Content-Type", "text/plain"), ("Connection", "X-Hop"), ("X-Hop", "dropped"),
                    ("Proxy-Authorization", "Basic secret"), ("Accept-Encoding", "gzip"),
                ])
            let headers = try #require(response.json["headers"] as? [String: Any])
            let names = Set(headers.keys.map { $0.lowercased() })
            #expect(names.contains("x-custom"))
            #expect(!names.contains("x-hop"))
            #expect(!names.contains("proxy-authorization"))
            #expect(!names.contains("accept-encoding"))
            #expect(!names.contains("x-wxsidecar-request-target"))
            #expect(response.json["body"] as? String == "payload")
        }
    }

    @Test func everyMethodIsForwarded() async throws {
        try await withSidecar { harness in
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
                let response = try await harness.send(method, "/echo/m", body: method == "GET" ? nil : "x")
                #expect(response.json["method"] as? String == method)
            }
        }
    }

    @Test func fiveHundredConcurrentRequestsEachGetTheirOwnAnswer() async throws {
        try await withSidecar { harness in
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        let response = try await harness.send("POST", "/echo/item\(index)?n=\(index)", body: "body-\(index)")
                        let ok = response.status == 200 && response.json["path"] as? String == "/echo/item\(index)"
                            && (response.json["query"] as? String)?.hasSuffix("&n=\(index)") == true
                            && response.json["body"] as? String == "body-\(index)"
                        return ok ? 0 : 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/item499") == 1)
        }
    }
}
