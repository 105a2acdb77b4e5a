// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore

/// Sends bytes exactly as given over a ``RawSocket`` and reads the answer until the server closes or one whole
/// response has arrived: for request targets and malformed HTTP that no client library would send. Every
/// exchange runs on a ``DedicatedThread``.
public enum RawHTTPClient {
    /// One HTTP response as read off the socket.
    public struct Response: Sendable {
        public var status: Int
        public var head: String
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public var errcode: Int? {
            (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
                .flatMap { ($0["errcode"] as? NSNumber)?.intValue }
        }
    }

    /// The socket failed or no response came.
    public typealias Failure = RawSocket.Failure

    /// `request` is sent verbatim; `Connection: close` is the caller's business.
    public static func send(_ request: [UInt8], port: Int, timeoutSeconds: Int = 10) async throws -> Response {
        try await DedicatedThread.run { try response(to: request, on: RawSocket(port: port, timeoutSeconds: timeoutSeconds)) }
    }

    /// `request` as UTF-8, sent verbatim.
    public static func send(_ request: String, port: Int) async throws -> Response {
        try await send(Array(request.utf8), port: port)
    }

    /// `request` over the unix domain socket at `path`.
    public static func send(_ request: String, unixSocket path: String, timeoutSeconds: Int = 10) async throws -> Response {
        try await DedicatedThread.run {
            try response(to: Array(request.utf8), on: RawSocket(unixSocket: path, timeoutSeconds: timeoutSeconds))
        }
    }

    /// Sends `request` and records every byte the server sends until it ends the connection, and how it ended
    /// (a FIN, or the error of the read that failed: `ECONNRESET` for a TCP RST).
    public static func exchange(_ request: String, port: Int, timeoutSeconds: Int = 10) async throws -> RawExchange {
        try await DedicatedThread.run {
            let socket = try RawSocket(port: port, timeoutSeconds: timeoutSeconds)
            socket.send(request)
            return socket.readUntilClosed()
        }
    }

    /// Sends `request` (which may hold several pipelined requests) and returns every byte the server sends until it
    /// closes the connection; throws when the connection ends in an error instead (a reset, a read timeout).
    public static func sendUntilClosed(_ request: String, port: Int, timeoutSeconds: Int = 10) async throws -> [UInt8] {
        try await DedicatedThread.run {
            let socket = try RawSocket(port: port, timeoutSeconds: timeoutSeconds)
            guard socket.send(request) else { throw Failure(description: "send: \(errno)") }
            let exchange = socket.readUntilClosed()
            if let error = exchange.error {
                throw Failure(description: "recv: \(error.errnoCode) after \(exchange.bytes.count) bytes")
            }
            return exchange.bytes
        }
    }

    /// Connects, sends `request`, and closes the connection at once without reading: a caller that goes away.
    public static func sendAndHangUp(_ request: String, port: Int) async throws {
        try await DedicatedThread.run {
            let socket = try RawSocket(port: port, timeoutSeconds: 1)
            guard socket.send(request) else { throw Failure(description: "send: \(errno)") }
            socket.close()
        }
    }

    /// Sends `request` (the server may close early on garbage: what it said is read all the same) and reads
    /// until one whole response has arrived or the server closes.
    private static func response(to request: [UInt8], on socket: RawSocket) throws -> Response {
        socket.send(request)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while case .success(let bytes) = socket.receive(into: &chunk), !bytes.isEmpty {
            received.append(contentsOf: bytes)
            if let response = parse(received), response.complete { return response.value }
        }
        guard let response = parse(received) else {
            throw Failure(description: "no HTTP response (\(received.count) bytes)")
        }
        return response.value
    }

    private static func parse(_ bytes: [UInt8]) -> (value: Response, complete: Bool)? {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let body = Array(bytes[end.upperBound...])
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
        let complete = length.map { body.count >= $0 } ?? false
        return (Response(status: status, head: head, body: length.map { Array(body.prefix($0)) } ?? body), complete)
    }
}
