// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import Testing

// MARK: - Round trips

@Suite("CurlClient round trips", .timeLimit(.minutes(1)))
struct RoundTripTests {
    @Test func getReturnsStatusHeadersAndBody() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let response = try await client.execute(UpstreamRequest(url: upstream.url("/bytes/10")))
                #expect(response.status == 200)
                #expect(response.body == FakeUpstream.pattern(count: 10))
                #expect(response.headerValues("Content-Length") == ["10"])
            }
        }
    }

    @Test func postSendsItsBodyWithALength() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let request = UpstreamRequest(
                    method: "POST", url: upstream.url("/echo"), body: ByteBuffer(string: #"{"touser":"o1"}"#))
                let response = try await client.execute(request)
                #expect(response.status == 200)
                #expect(String(buffer: response.body) == #"{"touser":"o1"}"#)
                #expect(response.headerValues("x-echo-method") == ["POST"])
                #expect(response.headerValues("x-echo-content-length") == ["15"])
                #expect(response.headerValues("x-seen-transfer-encoding") == ["none"])
            }
        }
    }

    @Test(arguments: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"])
    func everyMethodReachesTheServerAsGiven(method: String) async throws {
        let sendsBody = ["POST", "PUT", "PATCH", "DELETE", "PURGE"].contains(method)
        let payload = sendsBody ? ByteBuffer(string: "payload of \(method)") : nil
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let request = UpstreamRequest(method: method, url: upstream.url("/echo"), body: payload)
                let response = try await client.execute(request)
                #expect(response.status == 200)
                #expect(response.headerValues("x-echo-method") == [method])
                #expect(response.body == (method == "HEAD" ? ByteBuffer() : payload ?? ByteBuffer()))
                let length = payload.map { "\($0.readableBytes)" } ?? "none"
                #expect(response.headerValues("x-echo-content-length") == [length])
            }
        }
    }

    /// Easy handles are recycled without `curl_easy_reset`: one handle (a single connection) takes every method and
    /// body kind in turn, and nothing of one transfer (method, body, length, HEAD) leaks into the next.
    @Test func aRecycledHandleCarriesNothingOverFromThePreviousTransfer() async throws {
        var configuration = CurlClient.Configuration()
        configuration.maxHostConnections = 1
        configuration.maxTotalConnections = 1
        let large = FakeUpstream.pattern(count: 100 * 1024)  // past the inline limit: sent from the read callback
        let steps: [(method: String, body: ByteBuffer?)] = [
            ("POST", ByteBuffer(string: "small")), ("HEAD", nil), ("GET", nil), ("PUT", large), ("GET", nil),
            ("POST", nil), ("DELETE", ByteBuffer(string: "gone")), ("OPTIONS", nil), ("POST", large),
            ("HEAD", nil), ("PATCH", ByteBuffer(string: "p")), ("GET", nil),
        ]
        try await FakeUpstream.with { upstream in
            try await withClient(configuration) { client in
                for (index, step) in steps.enumerated() {
                    let response = try await client.execute(
                        UpstreamRequest(method: step.method, url: upstream.url("/echo"), body: step.body))
                    let sendsBody = step.body != nil || ["POST", "PUT", "PATCH"].contains(step.method)
                    let length = sendsBody ? "\(step.body?.readableBytes ?? 0)" : "none"
                    #expect(response.headerValues("x-echo-method") == [step.method], "step \(index)")
                    #expect(response.headerValues("x-echo-content-length") == [length], "step \(index)")
                    let expected = step.method == "HEAD" ? ByteBuffer() : step.body ?? ByteBuffer()
                    #expect(response.body == expected, "step \(index)")
                }
                #expect(client.stats.connectionsOpened == 1)
            }
        }
    }

    @Test(arguments: ["POST", "PUT", "PATCH"])
    func methodsWithContentSendZeroLengthWithoutABody(method: String) async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let response = try await client.execute(UpstreamRequest(method: method, url: upstream.url("/echo")))
                #expect(response.headerValues("x-echo-content-length") == ["0"])
                #expect(response.headerValues("x-seen-content-type") == ["none"])
            }
        }
    }

    @Test func requestHeadersArriveAndResponseHeadersComeBackInOrder() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let request = UpstreamRequest(
                    url: upstream.url("/echo"),
                    headers: [
                        ("X-Test-One", "1"), ("X-Test-Repeated", "a"), ("X-Test-Repeated", "b"),
                        ("X-Test-Empty", ""), ("X-Test-Spaces", "value with  spaces"),
                    ])
                let response = try await client.execute(request)
                #expect(response.headerValues("x-test-one") == ["1"])
                #expect(response.headerValues("x-test-repeated") == ["a", "b"])
                #expect(response.headerValues("x-test-empty") == [""])
                #expect(response.headerValues("x-test-spaces") == ["value with  spaces"])
                #expect(response.headerValues("x-multi") == ["first", "second"])
            }
        }
    }

    @Test func libcurlAddsNoAcceptExpectOrContentType() async throws {
        // Past 1 MiB libcurl 7.88 would send "Expect: 100-continue" on its own.
        let body = randomBytes(count: 2 << 20)
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let request = UpstreamRequest(method: "POST", url: upstream.url("/echo"), body: body)
                let response = try await client.execute(request)
                #expect(response.headerValues("x-seen-accept") == ["none"])
                #expect(response.headerValues("x-seen-expect") == ["none"])
                #expect(response.headerValues("x-seen-content-type") == ["none"])
                #expect(response.headerValues("x-echo-content-length") == ["\(2 << 20)"])
                #expect(response.body == body)
            }
        }
    }

    @Test func callerAcceptAndContentTypeAreSentAsGiven() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let request = UpstreamRequest(
                    method: "POST", url: upstream.url("/echo"),
                    headers: [("Accept", "application/json"), ("Content-Type", "application/json")],
                    body: ByteBuffer(string: "{}"))
                let response = try await client.execute(request)
                #expect(response.headerValues("x-seen-accept") == ["application/json"])
                #expect(response.headerValues("x-seen-content-type") == ["application/json"])
            }
        }
    }

    @Test(arguments: [1 << 20, 8 << 20])
    func binaryBodyRoundTripsByteExact(size: Int) async throws {
        let body = randomBytes(count: size)
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let request = UpstreamRequest(method: "PUT", url: upstream.url("/echo"), body: body)
                let response = try await client.execute(request)
                #expect(response.status == 200)
                #expect(response.headerValues("x-echo-content-length") == ["\(size)"])
                #expect(response.body.readableBytes == size)
                #expect(response.body == body)
            }
        }
    }

    @Test(arguments: [false, true])
    func largeDownloadArrivesByteExact(chunked: Bool) async throws {
        let size = 8 << 20
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let path = "/bytes/\(size)" + (chunked ? "?chunked" : "")
                let response = try await client.execute(UpstreamRequest(url: upstream.url(path)))
                #expect(response.body == FakeUpstream.pattern(count: size))
                #expect(response.headerValues("transfer-encoding") == (chunked ? ["chunked"] : []))
            }
        }
    }

    @Test(arguments: [200, 201, 204, 301, 302, 400, 404, 429, 500, 502, 503])
    func statusCodesArePassedThroughNotThrown(status: Int) async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let response = try await client.execute(UpstreamRequest(url: upstream.url("/status/\(status)")))
                #expect(response.status == status)
                #expect(String(buffer: response.body) == (status == 204 ? "" : "status \(status)"))
                if (300..<400).contains(status) {
                    // The redirect is not followed: the answer is the 3xx itself.
                    #expect(response.headerValues("location") == ["/echo"])
                }
            }
        }
    }
}
