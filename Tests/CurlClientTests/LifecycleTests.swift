// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Logging
import Testing

// MARK: - Cancellation and shutdown

@Suite("CurlClient cancellation and shutdown", .timeLimit(.minutes(1)))
struct LifecycleTests {
    @Test func cancellingTheTaskRemovesTheTransferAndClosesItsConnection() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let task = Task {
                    try await client.execute(UpstreamRequest(url: upstream.url("/hold")))
                }
                await upstream.events.wait { $0.holdArrivals == 1 }
                task.cancel()
                let error = await #expect(throws: CurlError.self) {
                    try await task.value
                }
                #expect(error?.kind == .cancelled)
                // Let the server answer: it writes to the closed connection, reads its end and sees it close. Had the
                // client kept the connection, the server would wait for the next request on it instead.
                upstream.events.update { $0.released = true }
                await upstream.events.wait { $0.holdConnectionsClosed == 1 }
                #expect(client.stats.transfersFailed == 1)
            }
        }
    }

    @Test func taskCancelledBeforeTheCallFailsWithoutWaitingForTheServer() async throws {
        try await FakeUpstream.with { upstream in
            try await withClient { client in
                let task = Task {
                    withUnsafeCurrentTask { $0?.cancel() }
                    return try await client.execute(UpstreamRequest(url: upstream.url("/hold")))
                }
                let error = await #expect(throws: CurlError.self) {
                    try await task.value
                }
                #expect(error?.kind == .cancelled)
            }
        }
    }

    @Test func shutdownFailsTransfersInFlightAndLaterCalls() async throws {
        let inFlight = 20
        try await FakeUpstream.with { upstream in
            let client = try CurlClient(configuration: .init(), logger: .init(label: "curl-client-test"))
            let tasks = (0..<inFlight).map { _ in
                Task { try await client.execute(UpstreamRequest(url: upstream.url("/hold"))) }
            }
            await upstream.events.wait { $0.holdArrivals == inFlight }
            client.shutdown()
            for task in tasks {
                let error = await #expect(throws: CurlError.self) {
                    try await task.value
                }
                #expect(error?.kind == .shutdown)
            }
            upstream.events.update { $0.released = true }
            await upstream.events.wait { $0.holdConnectionsClosed == inFlight }

            let error = await #expect(throws: CurlError.self) {
                try await client.execute(UpstreamRequest(url: upstream.url("/echo")))
            }
            #expect(error?.kind == .shutdown)
            #expect(client.stats.transfersFailed == inFlight + 1)
            client.shutdown()  // a second call returns at once
        }
    }

    @Test func droppingTheClientStopsItsThread() async throws {
        try await FakeUpstream.with { upstream in
            var client: CurlClient? = try CurlClient(configuration: .init(), logger: .init(label: "curl-client-test"))
            let response = try await client?.execute(UpstreamRequest(url: upstream.url("/echo")))
            #expect(response?.status == 200)
            weak let weakClient = client
            client = nil
            #expect(weakClient == nil)
        }
    }
}
