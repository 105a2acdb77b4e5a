// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import TestSupport
import Testing

// MARK: - Whether the request left

/// ``CurlError/requestSent`` against real servers: `false` only for failures before any byte of the request was
/// sent (connect, TLS handshake, the proxy's tunnel), `true` once it may have reached the server.
@Suite("CurlClient requestSent", .timeLimit(.minutes(1)))
struct RequestSentTests {
    /// Both ways a request is sent: whole (`execute`) and streamed.
    enum Way: CaseIterable, Sendable { case execute, stream }

    @Test(arguments: Way.allCases)
    func aRefusedConnectionSentNothing(way: Way) async throws {
        let refusing = try ReservedPort()
        let error = try await failure(way, UpstreamRequest(method: "POST", url: "https://127.0.0.1:\(refusing.port)/x"))
        #expect(error.kind == .connect)
        #expect(!error.requestSent)
    }

    @Test(arguments: Way.allCases)
    func aServerSilentInTheTLSHandshakeTimesOutHavingSentNothing(way: Way) async throws {
        try await withSilentListener { silent in
            let request = UpstreamRequest(
                method: "POST", url: "https://127.0.0.1:\(silent.port)/x", body: ByteBuffer(string: "{}"),
                timeout: .seconds(5), connectTimeout: .milliseconds(300))
            let error = try await failure(way, request)
            #expect(error.kind == .timeout)
            #expect(!error.requestSent)
            #expect(silent.accepted.items.count >= 1)
        }
    }

    @Test func theSameSilentServerOverPlainHTTPGotTheRequest() async throws {
        try await withSilentListener { silent in
            let request = UpstreamRequest(
                method: "POST", url: "http://127.0.0.1:\(silent.port)/x", body: ByteBuffer(string: "{}"),
                timeout: .milliseconds(500), connectTimeout: .milliseconds(300))
            let error = try await failure(.execute, request)
            #expect(error.kind == .timeout)
            #expect(error.requestSent)
        }
    }

    @Test func anUntrustedCertificateSentNothing() async throws {
        let tls = try TestTLS.shared()
        try await FakeUpstream.with(tls: (tls.certificatePath, tls.privateKeyPath)) { upstream in
            let error = try await failure(.execute, UpstreamRequest(url: upstream.url("/echo")), trustTestCA: false)
            #expect(error.kind == .tls)
            #expect(!error.requestSent)
        }
    }

    /// Plain HTTP: over TLS the server's close waits for the client's close_notify, seconds.
    @Test(arguments: Way.allCases)
    func aServerClosingWithoutAnAnswerGotTheRequest(way: Way) async throws {
        try await FakeUpstream.with { upstream in
            let error = try await failure(way, UpstreamRequest(method: "POST", url: upstream.url("/empty")))
            #expect(error.kind == .emptyReply)
            #expect(error.requestSent)
        }
    }

    @Test func aTimeoutWaitingForTheAnswerCameAfterTheRequest() async throws {
        let tls = try TestTLS.shared()
        try await FakeUpstream.with(tls: (tls.certificatePath, tls.privateKeyPath)) { upstream in
            let request = UpstreamRequest(url: upstream.url("/hold"), timeout: .seconds(1))
            let error = try await failure(.execute, request)
            #expect(error.kind == .timeout)
            #expect(error.requestSent)
        }
    }

    // MARK: Through a proxy

    @Test(arguments: Way.allCases)
    func aTunnelTheProxyCouldNotOpenSentNothing(way: Way) async throws {
        let refusing = try ReservedPort()
        try await withConnectProxy { proxy in
            let request = UpstreamRequest(
                url: "https://127.0.0.1:\(refusing.port)/x", proxy: UpstreamProxy(url: proxy.url))
            let error = try await failure(way, request)
            #expect(error.kind == .connect)
            #expect(!error.requestSent)
            #expect(proxy.tunnels.items.map(\.status) == [502])
        }
    }

    @Test func aServerSilentBehindTheProxySentNothing() async throws {
        try await withSilentListener { silent in
            try await withConnectProxy { proxy in
                let request = UpstreamRequest(
                    url: "https://127.0.0.1:\(silent.port)/x", timeout: .seconds(5), connectTimeout: .milliseconds(500),
                    proxy: UpstreamProxy(url: proxy.url))
                let error = try await failure(.execute, request)
                #expect(error.kind == .timeout)
                #expect(!error.requestSent)
                #expect(proxy.tunnels.items.map(\.status) == [200])
            }
        }
    }

    @Test func anUnreachableProxySentNothing() async throws {
        let refusing = try ReservedPort()
        let request = UpstreamRequest(
            url: "https://127.0.0.1:1/x", proxy: UpstreamProxy(url: "http://127.0.0.1:\(refusing.port)"))
        let error = try await failure(.execute, request)
        #expect(error.kind == .connect)
        #expect(!error.requestSent)
    }

    @Test func aServerClosingBehindTheProxyGotTheRequest() async throws {
        try await FakeUpstream.with { upstream in
            try await withConnectProxy { proxy in
                let request = UpstreamRequest(url: upstream.url("/empty"), proxy: UpstreamProxy(url: proxy.url))
                let error = try await failure(.execute, request)
                #expect(error.kind == .emptyReply)
                #expect(error.requestSent)
            }
        }
    }

    // MARK: Helpers

    /// The error `request` fails with, sent `way` by a client that trusts the shared test CA (or not).
    private func failure(_ way: Way, _ request: UpstreamRequest, trustTestCA: Bool = true) async throws -> CurlError {
        let caFile = trustTestCA ? try TestTLS.shared().caPath : nil
        return try await withClient(.init(caFile: caFile)) { client in
            switch way {
            case .execute:
                do throws(CurlError) {
                    let response = try await client.execute(request)
                    Issue.record("expected a failure, got HTTP \(response.status)")
                    return CurlError(.other, message: "no failure")
                } catch {
                    return error
                }
            case .stream:
                let end = AsyncBox<Result<UpstreamStreamEnd, CurlError>>()
                client.stream(request, consumer: EndRecorder(end: end))
                guard case .failure(let error) = try await end.value(timeout: .seconds(20)) else {
                    Issue.record("expected a failure")
                    return CurlError(.other, message: "no failure")
                }
                return error
            }
        }
    }
}

/// Keeps only how a stream ended.
private struct EndRecorder: UpstreamResponseConsumer {
    let end: AsyncBox<Result<UpstreamStreamEnd, CurlError>>

    func didReceiveHead(_ head: UpstreamResponseHead) -> UpstreamBodyMode { .buffer(limit: .max) }
    func didReceiveBodyPart(_ part: ByteBuffer) -> UpstreamBodyDemand { .more }
    func didFinish(_ result: Result<UpstreamStreamEnd, CurlError>) { end.set(result) }
}
