// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import TestSupport
import Testing
import WeChatEmulator

/// Request targets crafted to reach a path the whitelist does not allow. Each is sent raw (no client
/// library normalises it first); none may reach the emulator, and each gets a WeChat-style JSON error.
@Suite struct PathAttackTests {
    /// The whitelist in force allows `/wxa/msg_sec_check`, `/wxa/getwxacode`, `/tcb/invokecloudfunction`
    /// and everything under `/echo/`; every target below aims elsewhere (mostly `/cgi-bin/...`).
    static let attacks: [String] = [
        "/wxa/msg_sec_check/../../cgi-bin/user/info",
        "/echo/../cgi-bin/user/info",
        "/echo/./../cgi-bin/token",
        "/echo/%2e%2e/cgi-bin/user/info",
        "/echo/%2E%2E/cgi-bin/user/info",
        "/echo/.%2e/cgi-bin/user/info",
        "/echo/%252e%252e/cgi-bin/user/info",
        "/echo%2f..%2fcgi-bin/user/info",
        "/echo/..%2fcgi-bin/user/info",
        "/echo/..%5ccgi-bin/user/info",
        "/echo/..\\cgi-bin/user/info",
        "/echo\\..\\cgi-bin\\user\\info",
        "//cgi-bin/user/info",
        "/echo//../cgi-bin/user/info",
        "/./cgi-bin/user/info",
        "/echo/..",
        "/echo/.",
        "/wxa/msg_sec_check;/../../cgi-bin/user/info",
        "/wxa/msg_sec_check;jsessionid=1",
        "/wxa/msg_sec_check%00",
        "/wxa/msg_sec_check%00/../../cgi-bin/token",
        "/wxa/msg_sec_check%3F/../x",
        "/wxa/msg%5fsec_check",
        "/WXA/MSG_SEC_CHECK",
        "/wxa/msg_sec_check/",
        "/cgi-bin/token?grant_type=client_credential",
        "/cgi-bin/stable_token",
        "/cgi-bin/Token",
        "/echo/../../cgi-bin/stable_token",
        "/" + String(repeating: "echo/", count: 210) + "x",
        "http://api.weixin.qq.com@evil.com/echo/x",
        "http://evil.com/echo/x",
        "http://evil.com@api.weixin.qq.com/cgi-bin/user/info",
        "http://api.weixin.qq.com/echo/../cgi-bin/user/info",
        "http://api.weixin.qq.com/echo/%2e%2e/cgi-bin/user/info",
        "http://api.weixin.qq.com:443/echo/x",
        "https://api.weixin.qq.com/echo/x",
        "ftp://api.weixin.qq.com/echo/x",
        "api.weixin.qq.com/echo/x",
        "echo/x",
        "*",
        "/echo/x#/../../cgi-bin/user/info",
        "/echo/\u{7f}x",
        "/echo/\u{e9}",
        "/%65cho/x",
        "/echo/x/%2e%2e/%2e%2e/cgi-bin/user/info",
        "/echo/..;/cgi-bin/user/info",
        "/echo/%u002e%u002e/cgi-bin/user/info",
    ]

    @Test(arguments: attacks)
    func attackTargetIsRefusedAndNeverForwarded(_ target: String) async throws {
        try await withSidecar { harness in
            let before = harness.emulator.knobs.stats.requests
            let response = try await RawHTTPClient.send(
                Array("GET ".utf8) + Array(target.utf8) + Array(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8),
                port: harness.sidecarPort)
            #expect([400, 403].contains(response.status), "\(target) → \(response.status) \(response.text)")
            #expect(response.errcode != nil && response.errcode != 0, "\(target): \(response.text)")
            #expect(harness.emulator.knobs.stats.requests == before, "\(target) reached the upstream")
            // The sidecar keeps serving on a new connection.
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
        }
    }

    /// Raw bytes no parser should accept as a path: NUL, CR/LF injection, spaces.
    static let byteAttacks: [[UInt8]] = [
        Array("/echo/x".utf8) + [0x00] + Array("/../../cgi-bin/user/info".utf8),
        Array("/echo/x\r\nX-Injected: 1".utf8),
        Array("/echo/x\n/cgi-bin/user/info".utf8),
        Array("/echo/x /cgi-bin/user/info".utf8),
        Array("/echo/x\t".utf8),
    ]

    @Test(arguments: byteAttacks)
    func controlBytesInTheTargetAreRefused(_ target: [UInt8]) async throws {
        try await withSidecar { harness throws in
            let before = harness.emulator.knobs.stats.requests
            let response = try? await RawHTTPClient.send(
                Array("GET ".utf8) + target + Array(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8),
                port: harness.sidecarPort)
            if let response { #expect([400, 403].contains(response.status)) }
            #expect(harness.emulator.knobs.stats.requests == before)
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
        }
    }

    @Test func pathOffTheWhitelistGets85107AndTheUpstreamIsNotContacted() async throws {
        try await withSidecar { harness in
            let before = harness.emulator.knobs.stats.requests
            let response = try await harness.send("POST", "/cgi-bin/message/custom/send", body: "{}")
            #expect(response.status == 403)
            #expect(response.text == #"{"errcode":85107,"errmsg":"url not in whitelist: /cgi-bin/message/custom/send"}"#)
            #expect(harness.emulator.knobs.stats.requests == before)
        }
    }
}
