// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import TestSupport

// MARK: - FakeUpstream

/// An in-process HTTP(S) server on 127.0.0.1 and a free port, standing in for the upstream; over TLS it can offer
/// HTTP/2.
///
/// Routes (any method):
/// - `/echo`: 200 with the request body; `x-echo-method`, `x-echo-target` (the request target as received),
///   `x-echo-content-length`, `x-seen-accept`, `x-seen-expect`, `x-seen-content-type` and
///   `x-seen-transfer-encoding` tell what arrived (`none` when absent),
///   every `x-test-*` request field is sent back, and two `x-multi` fields are added.
/// - `/status/{code}`: that status, body `status {code}` (none for 204 and 304; a `Location` for 3xx).
/// - `/bytes/{count}`: `count` bytes of ``FakeUpstream/pattern(count:)``; `?chunked` streams them without a length.
/// - `/hold`: counts the arrival, watches the connection close, answers once ``UpstreamEvents/released``.
/// - `/declare/{count}`: declares `count` bytes in `Content-Length`, sends them once released.
/// - `/truncate`: declares 1000 bytes, sends 100, closes the connection.
/// - `/stream/{count}`: `count` bytes of the pattern in 64 KiB writes (`?chunked`: without a length), counted in
///   ``UpstreamEvents/streamBytesWritten`` as each write is accepted; watches the connection close.
/// - `/stall/{count}`: declares `count` bytes, sends the first half, the rest once released; watches the connection
///   close.
/// - `/empty`: closes the connection without answering.
struct FakeUpstream: Sendable {
    /// The bound port.
    let port: Int
    /// `http` or `https`.
    let scheme: String
    /// What the server saw; also its gate for `/hold`.
    let events: Observed<UpstreamEvents>

    /// The URL of `path` on this server.
    func url(_ path: String) -> String {
        "\(scheme)://127.0.0.1:\(port)\(path)"
    }

    /// Bytes whose value depends on their position, so any misplaced byte shows.
    static func pattern(count: Int) -> ByteBuffer {
        // Whole periods at a time: byte-by-byte writes are slow in debug builds and starve the shared thread pool.
        let period = (0..<251).map { UInt8($0) }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        while buffer.readableBytes < count {
            buffer.writeBytes(period.prefix(count - buffer.readableBytes))
        }
        return buffer
    }

    /// Runs `body` with a server listening; stops the server afterwards.
    ///
    /// - Parameters:
    ///   - tls: Certificate and key to serve HTTPS with, or `nil` for plain HTTP.
    ///   - http2: Whether HTTPS offers HTTP/2 through ALPN (besides HTTP/1.1).
    ///   - body: The test, given the running server.
    static func with<Result: Sendable>(
        tls: (certificatePath: String, privateKeyPath: String)? = nil,
        http2: Bool = false,
        _ body: (FakeUpstream) async throws -> Result
    ) async throws -> Result {
        let events = Observed(UpstreamEvents())
        let server: HTTPServerBuilder
        if let tls {
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem))
            )
            server =
                http2
                ? try .http2Upgrade(tlsConfiguration: configuration) : try .tls(.http1(), tlsConfiguration: configuration)
        } else {
            server = .http1()
        }
        var logger = Logger(label: "fake-upstream")
        // Stopping the server by cancellation logs the cancellation of its connections as errors: expected here.
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: FakeUpstreamResponder(events: events),
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer {
                events.update { $0.released = true }
                group.cancelAll()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw FakeUpstreamError.didNotStart }
            let upstream = FakeUpstream(port: port, scheme: tls == nil ? "http" : "https", events: events)
            return try await body(upstream)
        }
    }
}

/// The fake upstream could not start.
enum FakeUpstreamError: Error {
    case didNotStart
}

// MARK: - UpstreamEvents

/// What the fake upstream saw, and its gate.
struct UpstreamEvents: Sendable {
    /// Requests that reached `/hold`.
    var holdArrivals = 0
    /// `/hold` connections that closed.
    var holdConnectionsClosed = 0
    /// Whether `/hold` requests may answer.
    var released = false
    /// The client ports of every request, one per connection.
    var clientPorts: Set<Int> = []
    /// Body bytes `/stream` has written so far.
    var streamBytesWritten = 0
    /// `/stream` and `/stall` connections that closed.
    var streamConnectionsClosed = 0
}

// MARK: - FakeUpstreamResponder

/// A request context that keeps the connection's channel, to watch it close.
struct UpstreamContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

/// The routes of ``FakeUpstream``.
struct FakeUpstreamResponder: HTTPResponder {
    let events: Observed<UpstreamEvents>

    func respond(to request: Request, context: UpstreamContext) async throws -> Response {
        if let port = context.channel.remoteAddress?.port {
            events.update { $0.clientPorts.insert(port) }
        }
        let segments = request.uri.path.split(separator: "/").map(String.init)
        switch segments.first {
        case "echo":
            return try await echo(request)
        case "status":
            return status(Int(segments.dropFirst().first ?? "") ?? 500)
        case "bytes":
            let count = Int(segments.dropFirst().first ?? "") ?? 0
            return bytes(count: count, chunked: request.uri.queryParameters["chunked"] != nil)
        case "hold":
            return await hold(context.channel)
        case "truncate":
            return truncate(context.channel)
        case "declare":
            return declare(count: Int(segments.dropFirst().first ?? "") ?? 0)
        case "stream":
            let count = Int(segments.dropFirst().first ?? "") ?? 0
            return stream(count: count, chunked: request.uri.queryParameters["chunked"] != nil, context.channel)
        case "stall":
            return stall(count: Int(segments.dropFirst().first ?? "") ?? 0, context.channel)
        case "empty":
            try await context.channel.close()
            return Response(status: .ok)
        default:
            return Response(status: .notFound)
        }
    }

    private func echo(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024 * 1024)
        var headers: HTTPFields = [
            HTTPField.Name("x-echo-method")!: request.method.rawValue,
            HTTPField.Name("x-echo-target")!: request.uri.string,
            HTTPField.Name("x-echo-content-length")!: request.headers[.contentLength] ?? "none",
            HTTPField.Name("x-seen-accept")!: request.headers[.accept] ?? "none",
            HTTPField.Name("x-seen-expect")!: request.headers[.expect] ?? "none",
            HTTPField.Name("x-seen-content-type")!: request.headers[.contentType] ?? "none",
            HTTPField.Name("x-seen-transfer-encoding")!: request.headers[.transferEncoding] ?? "none",
            HTTPField.Name("x-multi")!: "first",
            HTTPField.Name("x-multi")!: "second",
        ]
        for field in request.headers where field.name.canonicalName.hasPrefix("x-test-") {
            headers.append(field)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    private func status(_ code: Int) -> Response {
        var headers: HTTPFields = [:]
        if (300..<400).contains(code) {
            headers[.location] = "/echo"
        }
        let body = code == 204 || code == 304 ? ResponseBody() : .init(byteBuffer: ByteBuffer(string: "status \(code)"))
        return Response(status: .init(code: code), headers: headers, body: body)
    }

    private func bytes(count: Int, chunked: Bool) -> Response {
        let payload = FakeUpstream.pattern(count: count)
        guard chunked else { return Response(status: .ok, body: .init(byteBuffer: payload)) }
        return Response(
            status: .ok,
            body: .init { writer in
                var rest = payload
                while let piece = rest.readSlice(length: min(65_536, rest.readableBytes)), piece.readableBytes > 0 {
                    try await writer.write(piece)
                }
                try await writer.finish(nil)
            })
    }

    private func hold(_ channel: any Channel) async -> Response {
        channel.closeFuture.whenComplete { _ in
            events.update { $0.holdConnectionsClosed += 1 }
        }
        events.update { $0.holdArrivals += 1 }
        await events.wait { $0.released }
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "released")))
    }

    /// Declares `count` bytes and sends them only once released.
    private func declare(count: Int) -> Response {
        Response(
            status: .ok,
            body: .init(contentLength: count) { writer in
                await events.wait { $0.released }
                try await writer.write(FakeUpstream.pattern(count: count))
                try await writer.finish(nil)
            })
    }

    /// Sends the pattern in 64 KiB writes, each counted once the writer has taken it (the writer waits while the
    /// connection cannot take more).
    private func stream(count: Int, chunked: Bool, _ channel: any Channel) -> Response {
        watchClose(channel)
        let write: @Sendable (inout any ResponseBodyWriter) async throws -> Void = { writer in
            var rest = FakeUpstream.pattern(count: count)
            while let piece = rest.readSlice(length: min(65_536, rest.readableBytes)), piece.readableBytes > 0 {
                try await writer.write(piece)
                events.update { $0.streamBytesWritten += piece.readableBytes }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, body: .init(contentLength: chunked ? nil : count, write))
    }

    /// Declares `count` bytes, sends half of them, and the rest only once released.
    private func stall(count: Int, _ channel: any Channel) -> Response {
        watchClose(channel)
        return Response(
            status: .ok,
            body: .init(contentLength: count) { writer in
                var payload = FakeUpstream.pattern(count: count)
                try await writer.write(payload.readSlice(length: count / 2)!)
                await events.wait { $0.released }
                try await writer.write(payload)
                try await writer.finish(nil)
            })
    }

    private func watchClose(_ channel: any Channel) {
        channel.closeFuture.whenComplete { _ in
            events.update { $0.streamConnectionsClosed += 1 }
        }
    }

    private func truncate(_ channel: any Channel) -> Response {
        Response(
            status: .ok,
            body: .init(contentLength: 1000) { writer in
                try await writer.write(FakeUpstream.pattern(count: 100))
                try await channel.close()
            })
    }
}
