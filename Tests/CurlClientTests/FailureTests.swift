// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import Testing

// MARK: - Failures

@Suite("CurlClient failures", .timeLimit(.minutes(1)))
struct FailureTests {
    @Test func refusedConnectionFailsWithConnect() async throws {
        let refusing = try RefusingPort()
        try await withClient { client in
            let error = await #expect(throws: CurlError.self) {
                try await client.execute(UpstreamRequest(url: "http://127.0.0.1:\(refusing.port)/"))
            }
            #expect(error?.kind == .connect)
            #expect(error?.code == 7)  // CURLE_COULDNT_CONNECT
        }
    }

    @Test func serverSlowerThanTheTimeoutFailsWithTimeout() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let clock = ContinuousClock()
                let started = clock.now
                let error = await #expect(throws: CurlError.self) {
                    // Long enough that the request reaches the server even when the whole suite loads both cores.
                    try await client.execute(UpstreamRequest(url: upstream.url("/hold"), timeout: .seconds(2)))
                }
                let elapsed = clock.now - started
                #expect(error?.kind == .timeout)
                #expect(error?.code == 28)  // CURLE_OPERATION_TIMEDOUT
                #expect(elapsed >= .seconds(2))
                #expect(elapsed < .seconds(10))
                #expect(upstream.events.value.holdArrivals == 1)
            }
        }
    }

    @Test func serverClosingMidBodyFailsWithReset() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let error = await #expect(throws: CurlError.self) {
                    try await client.execute(UpstreamRequest(url: upstream.url("/truncate")))
                }
                #expect(error?.kind == .reset)
            }
        }
    }

    @Test func serverClosingWithoutAnswerFailsWithEmptyReply() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let error = await #expect(throws: CurlError.self) {
                    try await client.execute(UpstreamRequest(url: upstream.url("/empty")))
                }
                #expect(error?.kind == .emptyReply)
                #expect(error?.code == 52)  // CURLE_GOT_NOTHING
            }
        }
    }

    @Test(arguments: [false, true])
    func bodyPastTheLimitFailsWithTooLarge(chunked: Bool) async throws {
        try await FakeUpstream.with { upstream in
            try await withClient(.init(maxResponseBytes: 1_000_000)) { client in
                let path = "/bytes/2000000" + (chunked ? "?chunked" : "")
                let error = await #expect(throws: CurlError.self) {
                    try await client.execute(UpstreamRequest(url: upstream.url(path)))
                }
                #expect(error?.kind == .tooLarge)
                #expect(error?.label == "too_large")
                // The client stays usable.
                let response = try await client.execute(UpstreamRequest(url: upstream.url("/bytes/10")))
                #expect(response.status == 200)
            }
        }
    }

    /// A declared length past the limit fails at the end of the head, without waiting for the body.
    @Test func declaredLengthPastTheLimitFailsBeforeTheBody() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient(.init(maxResponseBytes: 1000)) { client in
                let error = await #expect(throws: CurlError.self) {
                    try await client.execute(UpstreamRequest(url: upstream.url("/declare/5000"), timeout: .seconds(20)))
                }
                #expect(error?.kind == .tooLarge)
            }
        }
    }

    @Test(arguments: [false, true])
    func bodyExactlyAtTheLimitIsAccepted(chunked: Bool) async throws {
        try await FakeUpstream.with { upstream in
            try await withClient(.init(maxResponseBytes: 1_000_000)) { client in
                let path = "/bytes/1000000" + (chunked ? "?chunked" : "")
                let response = try await client.execute(UpstreamRequest(url: upstream.url(path)))
                #expect(response.body == FakeUpstream.pattern(count: 1_000_000))
            }
        }
    }

    @Test(arguments: [
        UpstreamRequest(method: "GE T", url: "http://127.0.0.1:1/"),
        UpstreamRequest(method: "", url: "http://127.0.0.1:1/"),
        UpstreamRequest(url: "http://127.0.0.1:1/", headers: [("X-Injected", "a\r\nHost: evil")]),
        UpstreamRequest(url: "http://127.0.0.1:1/", headers: [("Bad Name", "a")]),
        UpstreamRequest(url: "http://127.0.0.1:1/\u{0}evil"),
        UpstreamRequest(url: "http://127.0.0.1:1/", timeout: .zero),
        UpstreamRequest(url: "ftp://127.0.0.1:1/file"),
        UpstreamRequest(url: "http://[::1/"),
    ])
    func malformedRequestsFailWithInvalidRequest(request: UpstreamRequest) async throws {
        try await withClient { client in
            let error = await #expect(throws: CurlError.self) {
                try await client.execute(request)
            }
            #expect(error?.kind == .invalidRequest)
        }
    }
}

extension UpstreamRequest: CustomTestStringConvertible {
    public var testDescription: String {
        "\(method) \(url.debugDescription) \(headers.map { "\($0.name): \($0.value.debugDescription)" })"
    }
}
