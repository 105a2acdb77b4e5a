// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import Testing

// MARK: - The driver's queue beyond maxActiveTransfers

@Suite("CurlClient transfer queue", .timeLimit(.minutes(1)))
struct TransferQueueTests {
    /// At most `maxActiveTransfers` transfers reach libcurl (and so the server); the rest wait their turn and
    /// all get their answers.
    @Test func transfersBeyondTheLimitWaitTheirTurn() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient(.init(maxActiveTransfers: 2)) { client in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<5 {
                        group.addTask { try await client.execute(UpstreamRequest(url: upstream.url("/hold"))).status }
                    }
                    await upstream.events.wait { $0.holdArrivals == 2 }
                    try await Task.sleep(for: .milliseconds(300))
                    #expect(upstream.events.value.holdArrivals == 2)
                    upstream.events.update { $0.released = true }
                    let statuses = try await group.reduce(into: []) { $0.append($1) }
                    #expect(statuses == Array(repeating: 200, count: 5))
                }
                #expect(client.stats.transfersCompleted == 5)
            }
        }
    }

    /// A transfer's timeout runs while it waits in the queue: one that waited it all fails with `.timeout`.
    @Test func aQueuedTransferTimesOutFromWhenItWasSubmitted() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient(.init(maxActiveTransfers: 1)) { client in
                async let first = client.execute(UpstreamRequest(url: upstream.url("/hold")))
                await upstream.events.wait { $0.holdArrivals == 1 }
                let clock = ContinuousClock()
                let started = clock.now
                let queued = Task {
                    try await client.execute(UpstreamRequest(url: upstream.url("/echo"), timeout: .milliseconds(300)))
                }
                try await Task.sleep(for: .milliseconds(600))
                upstream.events.update { $0.released = true }
                #expect(try await first.status == 200)
                let error = await #expect(throws: CurlError.self) { try await queued.value }
                #expect(error?.kind == .timeout)
                #expect(clock.now - started >= .milliseconds(300))
            }
        }
    }
}
