// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import Testing

@testable import CurlClient

// MARK: - Buffered answers, heads and early ends

@Suite("CurlClient stream heads and buffered answers", .timeLimit(.minutes(1)))
struct StreamBufferTests {
    @Test(arguments: [
        ("GET", "/bytes/1000000"), ("GET", "/bytes/1000000?chunked"), ("GET", "/status/404"), ("POST", "/echo"),
        ("HEAD", "/echo"),
    ])
    func bufferModeReturnsWhatExecuteReturns(method: String, path: String) async throws {
        let body: ByteBuffer? = method == "POST" ? ByteBuffer(string: #"{"touser":"o1"}"#) : nil
        try await withUpstreamAndClient(.http) { upstream, client in
            let request = UpstreamRequest(method: method, url: upstream.url(path), headers: [("X-Test-A", "1")], body: body)
            let expected = try await client.execute(request)
            let consumer = RecordingConsumer(mode: .buffer(limit: .max))
            client.stream(request, consumer: consumer)
            let record = await consumer.ended()
            guard case .success(.buffered(let response)) = record.end else {
                Issue.record("ended with \(String(describing: record.end))")
                return
            }
            #expect(response.status == expected.status)
            #expect(record.statuses == [expected.status])
            #expect(response.body == expected.body)
            #expect(withoutDate(response.headers) == withoutDate(expected.headers))
            #expect(withoutDate(record.headers) == withoutDate(expected.headers))
            #expect(record.parts == 0)
        }
    }

    @Test(arguments: [
        BufferLimitCase(limit: 1000, maxResponseBytes: 16 << 20, path: "/bytes/5000"),
        BufferLimitCase(limit: 1000, maxResponseBytes: 16 << 20, path: "/bytes/5000?chunked"),
        BufferLimitCase(limit: .max, maxResponseBytes: 1000, path: "/bytes/5000?chunked"),
        BufferLimitCase(limit: .max, maxResponseBytes: 1000, path: "/declare/5000"),
    ])
    func aBufferedAnswerPastItsLimitFailsWithTooLarge(_ limits: BufferLimitCase) async throws {
        try await withUpstreamAndClient(.http, .init(maxResponseBytes: limits.maxResponseBytes)) { upstream, client in
            let consumer = RecordingConsumer(mode: .buffer(limit: limits.limit))
            client.stream(UpstreamRequest(url: upstream.url(limits.path)), consumer: consumer)
            let record = await consumer.ended()
            #expect(record.error?.kind == .tooLarge)
            #expect(record.error?.description.contains("(1000)") == true)
            // A body at the limit is accepted, and the client stays usable.
            let atLimit = RecordingConsumer(mode: .buffer(limit: limits.limit))
            client.stream(UpstreamRequest(url: upstream.url("/bytes/1000")), consumer: atLimit)
            guard case .success(.buffered(let response)) = await atLimit.ended().end else {
                Issue.record("the body at the limit failed")
                return
            }
            #expect(response.body == FakeUpstream.pattern(count: 1000))
        }
    }

    /// A streamed body has no size limit: `maxResponseBytes` is for bodies held whole.
    @Test func aStreamedBodyIsNotHeldToMaxResponseBytes() async throws {
        try await withUpstreamAndClient(.http, .init(maxResponseBytes: 1000)) { upstream, client in
            let consumer = RecordingConsumer()
            client.stream(UpstreamRequest(url: upstream.url("/stream/100000")), consumer: consumer)
            let record = await consumer.ended()
            #expect(record.bytes == 100_000)
            #expect(record.error == nil)
        }
    }

    @Test func anInvalidRequestEndsAtOnce() async throws {
        try await withClient { client in
            let consumer = RecordingConsumer()
            let pending = client.stream(UpstreamRequest(method: "GE T", url: "http://127.0.0.1:1/"), consumer: consumer)
            #expect(consumer.record.value.error?.kind == .invalidRequest)
            pending.resume()
            pending.cancel()
            #expect(consumer.record.value.ends == 1)
        }
    }

    @Test func aStreamAfterShutdownEndsWithShutdown() async throws {
        let client = try CurlClient(configuration: .init(), logger: .init(label: "curl-client-test"))
        client.shutdown()
        let consumer = RecordingConsumer()
        client.stream(UpstreamRequest(url: "http://127.0.0.1:1/"), consumer: consumer)
        #expect(consumer.record.value.error?.kind == .shutdown)
    }

    /// Interim 1xx heads are not given to the consumer, and trailers do not make a second head.
    @Test func theConsumerGetsTheFinalHeadOnce() throws {
        let consumer = RecordingConsumer()
        let transfer = try CurlTransfer(
            request: UpstreamRequest(url: "http://127.0.0.1/"), maxResponseBytes: 10,
            stream: CurlStream(consumer: consumer))
        let lines = [
            "HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
            "HTTP/1.1 206 Partial Content\r\n", "Content-Type: image/jpeg\r\n", "\r\n", "X-Trailer: t\r\n", "\r\n",
        ]
        for line in lines {
            var bytes = Array(line.utf8)
            #expect(bytes.withUnsafeMutableBytes { transfer.receiveHeaderLine(UnsafeRawBufferPointer($0)) })
        }
        #expect(consumer.record.value.statuses == [206])
        #expect(consumer.record.value.headers.map { "\($0.name)=\($0.value)" } == ["Content-Type=image/jpeg"])
        let made = UpstreamResponseHead(status: 200, headers: [("Content-Type", "image/png"), ("X-A", "")])
        #expect(made.headerValues("content-type") == ["image/png"])
        #expect(made.headerValues("x-a") == [""])
    }

    @Test(arguments: [("HTTP/1.1 200 OK\r\n", 200), ("HTTP/2 404 \r\n", 404), ("HTTP/1.1 99\r\n", 0), ("HTTP/1.1\r\n", 0)])
    func statusLinesParse(line: String, status: Int) {
        var bytes = Array(line.utf8)
        #expect(bytes.withUnsafeMutableBytes { HeaderBlock.status(ofStatusLine: UnsafeRawBufferPointer($0)) } == status)
    }
}

/// A buffer limit, the client's limit and a body past them.
struct BufferLimitCase: Sendable, CustomTestStringConvertible {
    let limit: Int
    let maxResponseBytes: Int
    let path: String

    var testDescription: String { "limit \(limit), maxResponseBytes \(maxResponseBytes), \(path)" }
}

/// Header fields as `name=value` strings, without `Date` (which differs between two answers).
private func withoutDate(_ headers: [(name: String, value: String)]) -> [String] {
    headers.filter { $0.name.lowercased() != "date" }.map { "\($0.name)=\($0.value)" }
}
