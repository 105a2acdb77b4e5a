// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Sends bytes exactly as given over a plain TCP socket and reads the answer until the server closes or
/// one whole response has arrived: for request targets and malformed HTTP that no client library would send.
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
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `request` is sent verbatim; `Connection: close` is the caller's business.
    public static func send(_ request: [UInt8], port: Int, timeoutSeconds: Int = 10) async throws -> Response {
        try await DedicatedThread.run { try exchange(request, port: port, timeoutSeconds: timeoutSeconds) }
    }

    /// `request` as UTF-8, sent verbatim.
    public static func send(_ request: String, port: Int) async throws -> Response {
        try await send(Array(request.utf8), port: port)
    }

    /// `request` over the unix domain socket at `path`.
    public static func send(_ request: String, unixSocket path: String, timeoutSeconds: Int = 10) async throws -> Response {
        try await DedicatedThread.run {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
            }
            return try exchange(Array(request.utf8), family: AF_UNIX, address: address, timeoutSeconds: timeoutSeconds)
        }
    }

    /// Sends `request` (which may hold several pipelined requests) and returns every byte the server sends until it
    /// closes the connection, on a dedicated thread.
    public static func sendUntilClosed(_ request: String, port: Int, timeoutSeconds: Int = 10) async throws -> [UInt8] {
        try await DedicatedThread.run {
            try readUntilClosed(Array(request.utf8), port: port, timeoutSeconds: timeoutSeconds, closeAfterSending: false)
        }
    }

    /// Connects, sends `request`, and closes the connection at once without reading: a caller that goes away.
    public static func sendAndHangUp(_ request: String, port: Int) async throws {
        _ = try await DedicatedThread.run {
            try readUntilClosed(Array(request.utf8), port: port, timeoutSeconds: 1, closeAfterSending: true)
        }
    }

    private static func readUntilClosed(
        _ request: [UInt8], port: Int, timeoutSeconds: Int, closeAfterSending: Bool
    ) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        let sent = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw Failure(description: "send: \(errno)") }
        if closeAfterSending { return [] }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return received }
            guard count > 0 else { throw Failure(description: "recv: \(errno) after \(received.count) bytes") }
            received.append(contentsOf: chunk[0..<count])
        }
    }

    private static func exchange(_ request: [UInt8], port: Int, timeoutSeconds: Int) throws -> Response {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return try exchange(request, family: AF_INET, address: address, timeoutSeconds: timeoutSeconds)
    }

    private static func exchange<Address>(
        _ request: [UInt8], family: Int32, address: Address, timeoutSeconds: Int
    ) throws -> Response {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }  // the server may close early on garbage; read what it said
            sent += count
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: chunk[0..<count])
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
