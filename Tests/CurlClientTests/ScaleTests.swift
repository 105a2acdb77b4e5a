// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import TestSupport
import Testing

// MARK: - Concurrency and connection reuse

@Suite("CurlClient concurrency and connection reuse", .timeLimit(.minutes(2)))
struct ScaleTests {
    @Test func thousandConcurrentTransfersEachGetTheirOwnAnswer() async throws {
        let count = 1000
        try await FakeUpstream.with { upstream in
            try await withClient(.init(maxHostConnections: 32)) { client in
                let clock = ContinuousClock()
                let started = clock.now
                let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<count {
                        group.addTask {
                            let request = UpstreamRequest(
                                method: "POST", url: upstream.url("/echo"), headers: [("X-Test-Id", "\(index)")],
                                body: ByteBuffer(string: "transfer \(index)"))
                            let response = try await client.execute(request)
                            return response.status == 200 && String(buffer: response.body) == "transfer \(index)"
                                && response.headerValues("x-test-id") == ["\(index)"]
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 0 : 1) }
                }
                let elapsed = clock.now - started
                let stats = client.stats
                print("1000 concurrent transfers: \(elapsed), connections opened: \(stats.connectionsOpened)")
                #expect(mismatches == 0)
                #expect(stats.transfersCompleted == count)
                #expect(stats.connectionsOpened >= 1)
                #expect(stats.connectionsOpened <= 32)
            }
        }
    }

    /// Over HTTP/1.1 each slow transfer gets its own connection: none waits for another's answer to learn whether
    /// the server multiplexes.
    @Test(arguments: [false, true])
    func slowTransfersDoNotWaitForEachOther(tls: Bool) async throws {
        let material = try tls ? TestTLS.generate() : nil
        let count = 10
        try await FakeUpstream.with(tls: material.map { ($0.certificatePath, $0.privateKeyPath) }) { upstream in
            try await withClient(.init(caFile: material?.caPath)) { client in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<count {
                        group.addTask { try await client.execute(UpstreamRequest(url: upstream.url("/hold"))).status }
                    }
                    await upstream.events.wait { $0.holdArrivals == count }
                    #expect(upstream.events.value.holdArrivals == count)
                    upstream.events.update { $0.released = true }
                    let statuses = try await group.reduce(into: []) { $0.append($1) }
                    #expect(statuses == Array(repeating: 200, count: count))
                }
                #expect(client.stats.connectionsOpened == count)
            }
        }
    }

    /// Over TLS with ALPN offering h2, concurrent transfers wait for the first connection and multiplex on it.
    @Test func concurrentHTTPSTransfersMultiplexOverOneHTTP2Connection() async throws {
        let tls = try TestTLS.generate()
        let count = 50
        try await FakeUpstream.with(tls: (tls.certificatePath, tls.privateKeyPath), http2: true) { upstream in
            try await withClient(.init(caFile: tls.caPath)) { client in
                try await withThrowingTaskGroup(of: UpstreamResponse.self) { group in
                    for _ in 0..<count {
                        group.addTask { try await client.execute(UpstreamRequest(url: upstream.url("/hold"))) }
                    }
                    // All in flight at once: the server holds every one of them.
                    await upstream.events.wait { $0.holdArrivals == count }
                    upstream.events.update { $0.released = true }
                    for try await response in group {
                        #expect(response.status == 200)
                        #expect(String(buffer: response.body) == "released")
                    }
                }
                #expect(client.stats.connectionsOpened == 1)
            }
        }
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                for index in 0..<100 {
                    let body = ByteBuffer(string: "request \(index)")
                    let response = try await client.execute(
                        UpstreamRequest(method: "POST", url: upstream.url("/echo"), body: body))
                    #expect(response.body == body)
                }
                let stats = client.stats
                print("100 sequential requests: connections opened: \(stats.connectionsOpened)")
                #expect(stats.transfersCompleted == 100)
                #expect(stats.connectionsOpened >= 1)
                #expect(stats.connectionsOpened <= 2)
                #expect(upstream.events.value.clientPorts.count <= 2)
            }
        }
    }

    @Test func sequentialHTTPSRequestsReuseOneConnection() async throws {
        let tls = try TestTLS.generate()
        try await FakeUpstream.with(tls: (tls.certificatePath, tls.privateKeyPath)) { upstream in
            try await withClient(.init(caFile: tls.caPath)) { client in
                for _ in 0..<50 {
                    let response = try await client.execute(UpstreamRequest(url: upstream.url("/bytes/100")))
                    #expect(response.status == 200)
                }
                let stats = client.stats
                #expect(stats.transfersCompleted == 50)
                #expect(stats.connectionsOpened <= 2)
                #expect(upstream.events.value.clientPorts.count <= 2)
            }
        }
    }
}
