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
