// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import Testing

@testable import CurlClient

// MARK: - Cancellation, timeouts and recycled handles

@Suite("CurlClient stream cancellation and timeouts", .timeLimit(.minutes(1)))
struct StreamLifecycleTests {
    @Test(arguments: [Transport.http, .https])
    func cancellingAPausedStreamEndsItWithCancelledAndClosesTheConnection(_ transport: Transport) async throws {
        try await withUpstreamAndClient(transport) { upstream, client in
            let consumer = RecordingConsumer(pauses: { _ in true })
            let pending = client.stream(UpstreamRequest(url: upstream.url("/stream/\(32 << 20)")), consumer: consumer)
            await consumer.wait { $0.parts == 1 }
            pending.cancel()
            let record = await consumer.ended()
            #expect(record.error?.kind == .cancelled)
            #expect(record.parts == 1)
            await upstream.events.wait { $0.streamConnectionsClosed == 1 }
            #expect(client.stats.transfersFailed == 1)
            #expect(client.stats.transfersCompleted == 0)
            // The client stays usable (the paused handle was not reused).
            let response = try await client.execute(UpstreamRequest(url: upstream.url("/bytes/10")))
            #expect(response.body == FakeUpstream.pattern(count: 10))
        }
    }

    /// A body flowing without pause stops at once: no part is delivered once `cancel()` has returned.
    @Test func cancellingAFlowingStreamStopsItsParts() async throws {
        let size = 1_000_000
        try await withUpstreamAndClient(.http) { upstream, client in
            let consumer = RecordingConsumer()
            let pending = client.stream(UpstreamRequest(url: upstream.url("/stall/\(size)")), consumer: consumer)
            await consumer.wait { $0.bytes == size / 2 }  // the server now waits, the connection open
            pending.cancel()
            let partsAtCancel = consumer.record.value.parts
            upstream.events.update { $0.released = true }  // the server sends the rest into a closed connection
            let record = await consumer.ended()
            #expect(record.error?.kind == .cancelled)
            #expect(record.parts == partsAtCancel)
            await upstream.events.wait { $0.streamConnectionsClosed == 1 }
        }
    }

    /// The server stops mid-body while the consumer reads: after `timeout` without a byte the stream fails.
    @Test func aStreamStalledMidBodyFailsWithTimeout() async throws {
        let size = 1_000_000
        try await withUpstreamAndClient(.http) { upstream, client in
            let consumer = RecordingConsumer()
            // Long enough that the head arrives in time even when the whole suite loads both cores.
            client.stream(UpstreamRequest(url: upstream.url("/stall/\(size)"), timeout: .seconds(2)), consumer: consumer)
            let record = await consumer.ended()
            #expect(record.bytes == size / 2)
            #expect(record.error?.kind == .timeout)
            #expect(record.error?.code == 28)  // CURLE_OPERATION_TIMEDOUT
            if let lastPartAt = record.lastPartAt, let endedAt = record.endedAt {
                let stalled = endedAt - lastPartAt
                print("stalled stream timed out \(stalled) after its last part")
                #expect(stalled >= .seconds(2))
                #expect(stalled < .seconds(6))
            }
            // The server, released, writes to the closed connection and sees it close.
            upstream.events.update { $0.released = true }
            await upstream.events.wait { $0.streamConnectionsClosed == 1 }
            #expect(client.stats.transfersFailed == 1)
        }
    }

    /// Until the head arrives the request's timeout bounds the transfer, as for `execute`.
    @Test func aStreamWithoutAHeadInTimeFailsWithTimeout() async throws {
        try await withUpstreamAndClient(.http) { upstream, client in
            let consumer = RecordingConsumer()
            let started = ContinuousClock.now
            client.stream(UpstreamRequest(url: upstream.url("/hold"), timeout: .seconds(2)), consumer: consumer)
            let record = await consumer.ended()
            let elapsed = (record.endedAt ?? started) - started
            #expect(record.error?.kind == .timeout)
            #expect(elapsed >= .seconds(2))
            #expect(elapsed < .seconds(6))
            #expect(record.statuses.isEmpty)
            #expect(upstream.events.value.holdArrivals == 1)
        }
    }

    /// Time paused does not count against the timeout: a stream paused twice as long as its timeout completes once
    /// resumed. (A sleep: nothing happens while it is paused, and that is what is tested.)
    @Test func aPausedStreamOutlivesItsTimeout() async throws {
        let size = 2 << 20
        try await withUpstreamAndClient(.http) { upstream, client in
            let consumer = RecordingConsumer(pauses: { $0 == 1 })
            let request = UpstreamRequest(url: upstream.url("/stream/\(size)"), timeout: .seconds(2))
            let pending = client.stream(request, consumer: consumer)
            await consumer.wait { $0.parts == 1 }
            try await Task.sleep(for: .seconds(4))
            #expect(!consumer.record.value.hasEnded)
            pending.resume()
            let record = await consumer.ended()
            #expect(record.checksum == Checksum(of: FakeUpstream.pattern(count: size)))
            guard case .success(.streamed(size)) = record.end else {
                Issue.record("ended with \(String(describing: record.end))")
                return
            }
        }
    }

    /// Easy handles are reused: after a stream paused and resumed on the only handle, `execute` gets its own
    /// method, body and timeout (libcurl's, which the stream had switched off).
    @Test func aHandleRecycledAfterAPausedStreamServesExecute() async throws {
        let configuration = CurlClient.Configuration(maxHostConnections: 1, maxTotalConnections: 1)
        try await withUpstreamAndClient(.http, configuration) { upstream, client in
            let consumer = RecordingConsumer(pauses: { $0 % 16 == 0 })
            let pending = client.stream(UpstreamRequest(url: upstream.url("/stream/\(1 << 20)")), consumer: consumer)
            let resumptions = await resumeAfterEveryPart(pending, consumer)
            #expect(resumptions > 0)
            #expect(consumer.record.value.checksum == Checksum(of: FakeUpstream.pattern(count: 1 << 20)))

            for (method, body) in [("POST", ByteBuffer(string: "small")), ("HEAD", nil), ("PUT", randomBytes(count: 100_000))] {
                let response = try await client.execute(
                    UpstreamRequest(method: method, url: upstream.url("/echo"), body: body))
                #expect(response.headerValues("x-echo-method") == [method])
                #expect(response.body == (method == "HEAD" ? ByteBuffer() : body))
            }
            let error = await #expect(throws: CurlError.self) {
                try await client.execute(UpstreamRequest(url: upstream.url("/declare/10"), timeout: .seconds(1)))
            }
            #expect(error?.kind == .timeout)
            #expect(client.stats.transfersCompleted == 4)
            #expect(client.stats.connectionsOpened == 1)
        }
    }
}
