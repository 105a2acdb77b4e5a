// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import TestSupport
import Testing
import WeChatEmulator

/// The sidecar as an HTTP proxy: Cloud Hosting code calls `http://api.weixin.qq.com/...` with
/// `HTTP_PROXY` pointing at it. Other hosts and tunnels are refused and never connected to.
@Suite struct AbsoluteFormTests {
    @Test func absoluteFormForApiWeixinIsForwarded() async throws {
        try await withSidecar { harness in
            let body = #"{"version":2,"openid":"o","scene":1,"content":"hi"}"#
            let response = try await RawHTTPClient.send(
                "POST http://api.weixin.qq.com/wxa/msg_sec_check HTTP/1.1\r\nHost: api.weixin.qq.com\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)",
                port: harness.sidecarPort)
            #expect(response.status == 200)
            #expect(response.errcode == 0)
            #expect(response.head.lowercased().contains("x-openapi-seqid:"))
        }
    }

    @Test(arguments: [
        "http://evil.example.com/wxa/msg_sec_check",
        "http://api.weixin.qq.com.evil.com/wxa/msg_sec_check",
        "http://api.weixin.qq.com@evil.com/wxa/msg_sec_check",
        "http://api.weixin.qq.com:8080/wxa/msg_sec_check",
        "https://api.weixin.qq.com/wxa/msg_sec_check",
        "http://127.0.0.1/wxa/msg_sec_check",
    ])
    func otherHostsAreRefusedAndNeverContacted(_ target: String) async throws {
        try await withSidecar { harness in
            let before = harness.emulator.knobs.stats.requests
            let response = try await RawHTTPClient.send(
                "GET \(target) HTTP/1.1\r\nHost: api.weixin.qq.com\r\nConnection: close\r\n\r\n", port: harness.sidecarPort)
            #expect([400, 403].contains(response.status))
            #expect(response.errcode != 0 && response.errcode != nil)
            #expect(harness.emulator.knobs.stats.requests == before)
        }
    }

    @Test func connectIsRefusedWithAdviceToUsePlainHTTP() async throws {
        try await withSidecar { harness in
            let response = try await RawHTTPClient.send(
                "CONNECT api.weixin.qq.com:443 HTTP/1.1\r\nHost: api.weixin.qq.com:443\r\n\r\n", port: harness.sidecarPort)
            #expect(response.status == 403)
            #expect(response.errcode == 85107)
            #expect(response.text.contains("http://"))
        }
    }
}
