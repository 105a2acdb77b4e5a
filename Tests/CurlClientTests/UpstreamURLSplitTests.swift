// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import TestSupport
import Testing

@testable import CurlClient

// MARK: - The request target

/// libcurl is given a URL's origin and, as `CURLOPT_REQUEST_TARGET`, its path and query (``UpstreamURLSplit``),
/// which it sends without rebuilding them; the server must receive exactly what the whole URL gave it before.
@Suite("The request target libcurl sends", .timeLimit(.minutes(1)))
struct UpstreamURLSplitTests {
    @Test(arguments: [
        ("https://api.weixin.qq.com/wxa/msg_sec_check?access_token=T_-.~", "https://api.weixin.qq.com",
         "/wxa/msg_sec_check?access_token=T_-.~"),
        ("http://127.0.0.1:8080/a/../b/./c?x=%2F&y", "http://127.0.0.1:8080", "/a/../b/./c?x=%2F&y"),
        ("https://user:pw@[::1]:443/p", "https://user:pw@[::1]:443", "/p"),
        ("https://host?q=1", "https://host", "/?q=1"),  // an empty path before a query is sent as "/"
        ("HTTPS://Host/P", "HTTPS://Host", "/P"),
    ] as [(String, String, String)])
    func aURLIsCutIntoOriginAndTarget(url: String, origin: String, target: String) {
        let split = UpstreamURLSplit(url)
        #expect(split?.origin == origin)
        #expect(split?.target == target)
    }

    /// Whatever libcurl would not send unchanged, or could not parse, is left whole for libcurl to parse and check.
    @Test(arguments: [
        "https://host",  // no target: libcurl makes "/"
        "https://host/a b",  // a space, which libcurl refuses
        "https://host/a#fragment",  // a fragment, which libcurl drops
        "https://host#fragment/a",  // a fragment before the path: libcurl asks for "/"
        "https://host/caf\u{E9}",  // not ASCII
        "https://host/a\u{7F}",
        "host/path",  // no scheme
        "://host/path",
        "https:/host/path",
        "ht*tp://host/path",
        "https:///path",  // no authority
        "",
    ])
    func aURLThatLibcurlWouldChangeOrRefuseIsNotCut(url: String) {
        #expect(UpstreamURLSplit(url) == nil)
    }

    /// Over HTTPS with HTTP/1.1, and offering HTTP/2 (which libcurl takes for a whole response, turning its
    /// request line into `:path`).
    @Test(arguments: [false, true], ["/echo?access_token=T0K3N_-.~&x=%2F%3F", "/echo/../echo/./?a=1&a=2", "/echo"])
    func theServerReceivesTheTargetAsGiven(overHTTP2: Bool, target: String) async throws {
        let tls = try TestTLS.generate()
        try await FakeUpstream.with(tls: (tls.certificatePath, tls.privateKeyPath), http2: overHTTP2) { upstream in
            try await withClient(.init(caFile: tls.caPath)) { client in
                let request = UpstreamRequest(method: "POST", url: upstream.url(target), body: ByteBuffer(string: "x"))
                let response = try await client.execute(request)
                #expect(response.status == 200)
                #expect(response.headerValues("x-echo-target") == [target])
            }
        }
    }

    /// A handle that sent a target keeps no trace of it: the next transfer on it, whose URL is not cut, goes to its
    /// own path.
    @Test func aRecycledHandleForgetsTheTargetOfTheTransferBefore() async throws {
        var configuration = CurlClient.Configuration()
        configuration.maxHostConnections = 1
        configuration.maxTotalConnections = 1
        try await FakeUpstream.with { upstream in
            try await withClient(configuration) { client in
                let first = try await client.execute(UpstreamRequest(url: upstream.url("/echo?first")))
                #expect(first.headerValues("x-echo-target") == ["/echo?first"])
                let whole = "http://127.0.0.1:\(upstream.port)"  // no target to cut: libcurl asks for "/"
                let second = try await client.execute(UpstreamRequest(url: whole))
                #expect(second.status == 404)
            }
        }
    }
}
