// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import TestSupport
import Testing

// MARK: - Proxies

/// ``UpstreamRequest/proxy`` through a real `CONNECT` proxy on loopback (``ConnectProxy``): each request goes
/// through the proxy it names, and only that one, on easy handles and connections that are reused.
@Suite("CurlClient proxy", .timeLimit(.minutes(1)))
struct ProxyTests {
    @Test func aRequestWithAProxyIsTunnelledToItsTarget() async throws {
        try await withTLSUpstream { upstream, client in
            try await withConnectProxy { proxy in
                let request = UpstreamRequest(
                    method: "POST", url: upstream.url("/echo"), body: ByteBuffer(string: "through"),
                    proxy: UpstreamProxy(url: proxy.url))
                let response = try await client.execute(request)
                #expect(response.status == 200)
                #expect(String(buffer: response.body) == "through")
                #expect(proxy.tunnels.items.map(\.target) == ["127.0.0.1:\(upstream.port)"])
            }
        }
    }

    @Test func theProxyResolvesNamesTheClientCannot() async throws {
        try await withTLSUpstream { upstream, client in
            try await withConnectProxy(.init(hosts: ["upstream.invalid": "127.0.0.1"])) { proxy in
                let url = "https://upstream.invalid:\(upstream.port)/echo"
                let direct = await #expect(throws: CurlError.self) { try await client.execute(UpstreamRequest(url: url)) }
                #expect(direct?.kind == .resolve)
                let response = try await client.execute(UpstreamRequest(url: url, proxy: UpstreamProxy(url: proxy.url)))
                #expect(response.status == 200)
                #expect(proxy.tunnels.items.map(\.target) == ["upstream.invalid:\(upstream.port)"])
            }
        }
    }

    @Test func aStreamGoesThroughTheProxyToo() async throws {
        try await withTLSUpstream { upstream, client in
            try await withConnectProxy { proxy in
                let end = AsyncBox<Result<UpstreamStreamEnd, CurlError>>()
                let request = UpstreamRequest(url: upstream.url("/bytes/100000"), proxy: UpstreamProxy(url: proxy.url))
                client.stream(request, consumer: StreamEnd(end: end))
                guard case .success(.streamed(let bytes)) = try await end.value(timeout: .seconds(20)) else {
                    Issue.record("the stream failed")
                    return
                }
                #expect(bytes == 100_000)
                #expect(proxy.tunnels.items.count == 1)
            }
        }
    }

    @Test func requestsWithoutAProxyConnectDirectlyOnTheSameHandles() async throws {
        try await withTLSUpstream { upstream, client in
            try await withConnectProxy { proxy in
                let proxied = UpstreamRequest(url: upstream.url("/echo"), proxy: UpstreamProxy(url: proxy.url))
                let direct = UpstreamRequest(url: upstream.url("/echo"))
                for request in [direct, proxied, direct, proxied, direct] {
                    let response = try await client.execute(request)
                    #expect(response.status == 200)
                }
                // Two proxied requests: one tunnel, reused; the direct ones never touched the proxy.
                #expect(proxy.tunnels.items.count == 1)
                #expect(upstream.events.value.clientPorts.count == 2)
            }
        }
    }

    @Test func credentialsAreSentToTheProxy() async throws {
        try await withTLSUpstream { upstream, client in
            try await withConnectProxy(.init(credentials: "wx:pr0xy-pass")) { proxy in
                let request = UpstreamRequest(
                    url: upstream.url("/echo"), proxy: UpstreamProxy(url: proxy.url, credentials: "wx:pr0xy-pass"))
                let response = try await client.execute(request)
                #expect(response.status == 200)
                #expect(proxy.tunnels.items.map(\.authorized) == [true])
            }
        }
    }

    @Test func aProxyRefusingTheCredentialsFailsTheRequestBeforeItLeaves() async throws {
        try await withTLSUpstream { upstream, client in
            try await withConnectProxy(.init(credentials: "wx:pr0xy-pass")) { proxy in
                let request = UpstreamRequest(
                    url: upstream.url("/echo"), proxy: UpstreamProxy(url: proxy.url, credentials: "wx:wrong"))
                let error = await #expect(throws: CurlError.self) { try await client.execute(request) }
                #expect(error?.kind == .connect)
                #expect(error?.requestSent == false)
                #expect(error?.description.contains("407") == true)
                #expect(proxy.tunnels.items.map(\.status) == [407])
            }
        }
    }

    @Test func theCredentialsAreNeverPrinted() {
        let proxy = UpstreamProxy(url: "http://proxy.internal:3128", credentials: "wx:pr0xy-pass")
        #expect(!"\(proxy)".contains("pr0xy-pass"))
        #expect(!String(reflecting: proxy).contains("pr0xy-pass"))
    }

    @Test func aProxyURLWithALineBreakIsRefusedBeforeLibcurl() async throws {
        try await withClient { client in
            let request = UpstreamRequest(url: "https://127.0.0.1:1/", proxy: UpstreamProxy(url: "http://a\r\n:1"))
            let error = await #expect(throws: CurlError.self) { try await client.execute(request) }
            #expect(error?.kind == .invalidRequest)
        }
    }

    /// A TLS ``FakeUpstream`` with the shared test CA, and a client that trusts it.
    private func withTLSUpstream(_ body: (FakeUpstream, CurlClient) async throws -> Void) async throws {
        let tls = try TestTLS.shared()
        try await FakeUpstream.with(tls: (tls.certificatePath, tls.privateKeyPath)) { upstream in
            try await withClient(.init(caFile: tls.caPath)) { client in try await body(upstream, client) }
        }
    }
}

/// Streams the body and keeps only how the stream ended.
private struct StreamEnd: UpstreamResponseConsumer {
    let end: AsyncBox<Result<UpstreamStreamEnd, CurlError>>

    func didReceiveHead(_ head: UpstreamResponseHead) -> UpstreamBodyMode { .stream }
    func didReceiveBodyPart(_ part: ByteBuffer) -> UpstreamBodyDemand { .more }
    func didFinish(_ result: Result<UpstreamStreamEnd, CurlError>) { end.set(result) }
}
