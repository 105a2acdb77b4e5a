// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// `upstream.proxy` end to end: every call to WeChat (the token fetch at start, API calls buffered and streamed)
/// goes through a real CONNECT proxy on loopback, and pushes forwarded to the app do not.
///
/// Proof of passage: the emulator is named `upstream.invalid`, a name only the proxy resolves, so a call that
/// reached it went through the proxy; the proxy's log names each tunnel's target.
@Suite struct EgressProxyTests {
    /// The proxy's rules: it resolves `upstream.invalid` and opens tunnels to it alone.
    static let onlyToWeChat = ConnectProxy.Rules(
        hosts: ["upstream.invalid": "127.0.0.1"], allowedHosts: ["upstream.invalid"])

    /// A sidecar whose upstream is `https://upstream.invalid:<emulator port>`, through `proxy`.
    static func options(through proxy: ConnectProxy, more: [String] = []) -> SidecarHarness.Options {
        var options = SidecarHarness.Options()
        options.upstreamHost = "upstream.invalid"
        options.upstreamLines = ["  proxy: \"\(proxy.url)\""] + more
        return options
    }

    @Test func theTokenFetchAndAPICallsGoThroughTheProxy() async throws {
        try await withConnectProxy(Self.onlyToWeChat) { proxy in
            try await withSidecar(Self.options(through: proxy)) { harness in
                // The token came from the emulator, which only the proxy can reach.
                #expect(harness.emulator.knobs.stats.stableTokenGrants >= 1)
                let check = try await harness.send(
                    "POST", "/wxa/msg_sec_check", body: #"{"version":2,"openid":"o1","scene":1,"content":"hello"}"#)
                #expect(check.status == 200)
                #expect(check.errcode == 0)
                let image = try await harness.send("POST", "/wxa/getwxacode", body: #"{"path":"p","emulator_image_bytes":300000}"#)
                #expect(image.status == 200)
                #expect(image.body.readableBytes == 300_000)
                #expect(harness.emulator.knobs.stats.requests(to: "/wxa/msg_sec_check") == 1)
                let target = "upstream.invalid:\(harness.emulatorPort)"
                #expect(!proxy.tunnels.items.isEmpty)
                #expect(proxy.tunnels.items.allSatisfy { $0.target == target && $0.status == 200 })
                let status = try await harness.send("GET", "/-/status").json["upstream"] as? [String: Any]
                #expect(status?["proxy"] as? String == proxy.url)
            }
        }
    }

    @Test func theProxyCredentialsComeFromTheirFileAndAreNeverShown() async throws {
        let credentials = "wxsidecar:Pr0xy-Secret-42"
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = try folder.write(credentials + "\n", to: "proxy-credentials")
        var rules = Self.onlyToWeChat
        rules.credentials = credentials
        try await withConnectProxy(rules) { proxy in
            let options = Self.options(through: proxy, more: ["  proxy_credentials_file: \"\(file)\""])
            try await withSidecar(options) { harness in
                let echo = try await harness.send("POST", "/echo/x", body: "hi")
                #expect(echo.status == 200)
                #expect(proxy.tunnels.items.allSatisfy { $0.authorized })
                let status = try await harness.send("GET", "/-/status").text
                let metrics = try await harness.send("GET", "/-/metrics").text
                for shown in [status, metrics, harness.logs.text, harness.app.configuration.effectiveDescription] {
                    #expect(!shown.contains("Pr0xy-Secret-42"))
                }
            }
        }
    }

    @Test func pushesForwardedToTheAppConnectDirectly() async throws {
        try await withConnectProxy(Self.onlyToWeChat) { proxy in
            try await withInbound(options: Self.options(through: proxy)) { fixture in
                let result = try await fixture.pushes.send(try fixture.push(.text))
                #expect(result.status == 200)
                _ = try await fixture.app.requests.first("the push at the app") { _ in true }
                // The proxy opens tunnels to WeChat alone and was never asked for the app.
                #expect(!proxy.tunnels.items.isEmpty)
                #expect(proxy.tunnels.items.allSatisfy { $0.target.hasPrefix("upstream.invalid:") })
                #expect(!proxy.tunnels.items.contains { $0.target.hasSuffix(":\(fixture.app.port)") })
            }
        }
    }
}
