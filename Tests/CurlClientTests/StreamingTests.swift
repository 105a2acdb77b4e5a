// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import TestSupport
import Testing

@testable import CurlClient

// MARK: - Streamed bodies

/// Serialized: each case moves tens of MiB through a debug-build server, which would starve the timing-sensitive
/// tests of the other suites on a 2-core machine if they all ran at once.
@Suite("CurlClient streamed bodies", .serialized, .timeLimit(.minutes(1)))
struct StreamingTests {
    @Test(arguments: [
        StreamCase(.http, size: 8 << 20), StreamCase(.http, size: 32 << 20), StreamCase(.http, size: 8 << 20, chunked: true),
        StreamCase(.https, size: 32 << 20), StreamCase(.http2, size: 32 << 20),
    ])
    func streamedBodyArrivesByteExactInBoundedParts(_ stream: StreamCase) async throws {
        try await withUpstreamAndClient(stream.transport) { upstream, client in
            let consumer = RecordingConsumer()
            let clock = ContinuousClock()
            let started = clock.now
            client.stream(UpstreamRequest(url: upstream.url(stream.path)), consumer: consumer)
            let record = await consumer.ended()
            print("streamed \(stream.testDescription) in \(clock.now - started), \(record.parts) parts")
            #expect(record.statuses == [200])
            #expect(record.bytes == stream.size)
            #expect(record.checksum == Checksum(of: FakeUpstream.pattern(count: stream.size)))
            #expect(record.largestPart <= CurlTransfer.receiveBufferSize)
            guard case .success(.streamed(let bodyBytes)) = record.end else {
                Issue.record("ended with \(String(describing: record.end))")
                return
            }
            #expect(bodyBytes == stream.size)
            #expect(record.ends == 1)
            #expect(client.stats.transfersCompleted == 1)
            #expect(client.stats.transfersFailed == 0)
        }
    }

    /// The consumer pauses after every part; another task resumes it each time: every byte arrives, in order, one
    /// part per resumption.
    @Test(arguments: [StreamCase(.http, size: 4 << 20), StreamCase(.https, size: 4 << 20), StreamCase(.http2, size: 4 << 20)])
    func aConsumerPausingAfterEveryPartGetsEveryByteInOrder(_ stream: StreamCase) async throws {
        try await withUpstreamAndClient(stream.transport) { upstream, client in
            let consumer = RecordingConsumer(pauses: { _ in true })
            let pending = client.stream(UpstreamRequest(url: upstream.url(stream.path)), consumer: consumer)
            let resumptions = await resumeAfterEveryPart(pending, consumer)
            let record = consumer.record.value
            #expect(record.bytes == stream.size)
            #expect(record.checksum == Checksum(of: FakeUpstream.pattern(count: stream.size)))
            // One part per resumption; the last part, paused too, may be followed by the end before a resumption.
            #expect((record.parts - 1...record.parts).contains(resumptions))
            #expect(record.parts >= stream.size / CurlTransfer.receiveBufferSize)
            guard case .success(.streamed(stream.size)) = record.end else {
                Issue.record("ended with \(String(describing: record.end))")
                return
            }
        }
    }

    /// What the client holds for a paused stream is what libcurl read from the connection before the pause took
    /// effect: one receive buffer at most over HTTP/1.1, whatever the body's size; the rest waits in the server.
    @Test(arguments: [Transport.http, .https])
    func aPausedStreamHoldsAtMostOneReceiveBuffer(_ transport: Transport) async throws {
        let size = 32 << 20
        try await withUpstreamAndClient(transport) { upstream, client in
            let consumer = RecordingConsumer(pauses: { _ in true })
            let pending = client.stream(UpstreamRequest(url: upstream.url("/stream/\(size)")), consumer: consumer)
            await consumer.wait { $0.parts == 1 }
            // Paused after the first part, while the server pushes the body towards the client.
            await upstream.events.wait { $0.streamBytesWritten >= 1 << 20 }
            let written = upstream.events.value.streamBytesWritten
            let heldWhilePaused = pending.peakHeldBytes
            #expect(consumer.record.value.parts == 1)
            #expect(heldWhilePaused <= CurlTransfer.receiveBufferSize)

            _ = await resumeAfterEveryPart(pending, consumer)
            let record = consumer.record.value
            print(
                "paused 32 MiB stream over \(transport): server had written \(written) bytes, client held"
                    + " \(heldWhilePaused) while paused, peak \(pending.peakHeldBytes) over \(record.parts) pauses")
            #expect(record.checksum == Checksum(of: FakeUpstream.pattern(count: size)))
            #expect(pending.peakHeldBytes > 0)
            #expect(pending.peakHeldBytes <= CurlTransfer.receiveBufferSize)
        }
    }

    /// Over HTTP/2 libcurl would keep reading a connection for its other streams and buffer a paused stream's data
    /// up to the window it announced (32 MiB in libcurl 7.88): streams speak HTTP/1.1 even to a server offering h2,
    /// so a paused stream beside a flowing one still holds one receive buffer at most, on a connection of its own.
    @Test func aPausedStreamBesideAFlowingOneHoldsOneReceiveBufferWhenTheServerOffersHTTP2() async throws {
        let size = 8 << 20
        try await withUpstreamAndClient(.http2) { upstream, client in
            let paused = RecordingConsumer(pauses: { $0 == 1 })
            let flowing = RecordingConsumer()
            let pending = client.stream(UpstreamRequest(url: upstream.url("/stream/\(size)")), consumer: paused)
            await paused.wait { $0.parts == 1 }
            client.stream(UpstreamRequest(url: upstream.url("/stream/\(size)")), consumer: flowing)
            _ = await flowing.ended()
            let held = pending.peakHeldBytes
            pending.resume()
            let record = await paused.ended()
            print("paused 8 MiB stream beside a flowing one, server offering h2: peak held \(held) bytes")
            #expect(record.checksum == Checksum(of: FakeUpstream.pattern(count: size)))
            #expect(flowing.record.value.checksum == record.checksum)
            #expect(held <= CurlTransfer.receiveBufferSize)
            #expect(client.stats.connectionsOpened == 2)
        }
    }

    @Test func theChecksumDoesNotDependOnWhereTheBodyIsSplit() {
        let body = FakeUpstream.pattern(count: 1000)
        let whole = Checksum(of: body)
        for splits in [[1], [7, 8, 9], [3, 500, 999], Array(stride(from: 5, to: 1000, by: 13))] {
            var checksum = Checksum()
            var start = 0
            for end in splits + [1000] {
                checksum.add(body.getSlice(at: start, length: end - start)!)
                start = end
            }
            #expect(checksum == whole, "split at \(splits)")
        }
        var changed = body
        changed.setInteger(UInt8(7), at: 500)
        #expect(Checksum(of: changed) != whole)
        #expect(Checksum(of: body.getSlice(at: 0, length: 999)!) != whole)
    }
}

// MARK: - Helpers

/// Resumes the stream each time its consumer paused, from this task, until it ends; returns how many times.
func resumeAfterEveryPart(_ pending: CurlClient.PendingTransfer, _ consumer: RecordingConsumer) async -> Int {
    var resumptions = 0
    while true {
        let seen = resumptions
        await consumer.wait { $0.parts > seen }
        if consumer.record.value.hasEnded { return resumptions }
        resumptions += 1
        pending.resume()
    }
}

/// How the fake upstream is reached.
enum Transport: String, Sendable, CustomTestStringConvertible {
    case http
    case https
    case http2

    var testDescription: String { self == .http2 ? "https offering h2" : rawValue }
}

/// A body to stream: its size, its transport, and whether it is sent chunked.
struct StreamCase: Sendable, CustomTestStringConvertible {
    let transport: Transport
    let size: Int
    let chunked: Bool

    init(_ transport: Transport, size: Int, chunked: Bool = false) {
        self.transport = transport
        self.size = size
        self.chunked = chunked
    }

    var path: String { "/stream/\(size)" + (chunked ? "?chunked" : "") }
    var testDescription: String { "\(size >> 20) MiB over \(transport)" + (chunked ? ", chunked" : "") }
}

/// Runs `body` with a fake upstream speaking `transport` and a client that trusts it; both stop afterwards.
func withUpstreamAndClient<Result: Sendable>(
    _ transport: Transport,
    _ configuration: CurlClient.Configuration = .init(),
    _ body: (FakeUpstream, CurlClient) async throws -> Result
) async throws -> Result {
    let material = transport == .http ? nil : try TestTLS.generate()
    let tls = material.map { (certificatePath: $0.certificatePath, privateKeyPath: $0.privateKeyPath) }
    return try await FakeUpstream.with(tls: tls, http2: transport == .http2) { upstream in
        var configuration = configuration
        configuration.caFile = material?.caPath
        return try await withClient(configuration) { client in
            try await body(upstream, client)
        }
    }
}
