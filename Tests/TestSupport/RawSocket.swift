// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
public import NIOCore

#if canImport(Glibc)
import Glibc
#endif

// MARK: - RawSocket

/// A blocking stream socket to 127.0.0.1 (or a unix socket) that sends bytes exactly as given: for request
/// targets and malformed HTTP no client library would send, and for clients that misbehave (send part of a
/// request, trickle bytes, close or reset mid-request). Use from a ``DedicatedThread``, never the concurrency pool.
public final class RawSocket {
    /// The socket failed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public private(set) var fd: Int32

    /// Connects to `127.0.0.1:port`; reads and writes time out after `timeoutSeconds`.
    public convenience init(port: Int, timeoutSeconds: Int = 10) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        try self.init(family: AF_INET, address: address, timeoutSeconds: timeoutSeconds)
    }

    /// Connects to the unix domain socket at `path`.
    public convenience init(unixSocket path: String, timeoutSeconds: Int = 10) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        try self.init(family: AF_UNIX, address: address, timeoutSeconds: timeoutSeconds)
    }

    private init<Address>(family: Int32, address: Address, timeoutSeconds: Int) throws {
        fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            fd = -1
            throw Failure(description: "connect: \(reason)")
        }
    }

    deinit { close() }

    // MARK: Sending

    /// Sends every byte; returns `false` when the peer closed first.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    // MARK: Receiving

    /// One read: the bytes (empty at end of input), or the errno of a failed read (a reset, a timeout).
    public func receive(into chunk: inout [UInt8]) -> Result<ArraySlice<UInt8>, IOError> {
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return .success(chunk[0..<count]) }
            if errno != EINTR { return .failure(IOError(errnoCode: errno, reason: "recv")) }
        }
    }

    /// Reads until the peer closes, a read fails or times out, or `limit` bytes arrived.
    public func readAll(limit: Int = 1 << 20) -> [UInt8] {
        readUntilClosed(limit: limit).bytes
    }

    /// Reads until the peer ends the connection, recording how it ended: a FIN (no error) or a failed read
    /// (`ECONNRESET` for a TCP RST, `EAGAIN` for a read that timed out).
    public func readUntilClosed(limit: Int = .max) -> RawExchange {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while received.count < limit {
            switch receive(into: &chunk) {
            case .success(let bytes) where bytes.isEmpty: return RawExchange(bytes: received, error: nil)
            case .success(let bytes): received.append(contentsOf: bytes)
            case .failure(let error): return RawExchange(bytes: received, error: error)
            }
        }
        return RawExchange(bytes: received, error: nil)
    }

    /// Reads until a complete response head has arrived (or the peer closes / times out); returns the status.
    public func readStatus() -> Int? {
        var received: [UInt8] = []
        var byte: UInt8 = 0
        while !received.suffix(4).elementsEqual([13, 10, 13, 10]) && received.count < 65_536 {
            let count = recv(fd, &byte, 1, 0)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            received.append(byte)
        }
        let line = String(decoding: received.prefix { $0 != 13 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    /// Whether the peer has closed the connection (a read returns end of file or an error at once, or within
    /// `timeoutSeconds`); data that arrives first is discarded.
    public func peerCloses(within timeoutSeconds: Int) -> Bool {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            switch receive(into: &chunk) {
            case .success(let bytes) where bytes.isEmpty: return true
            case .success: continue
            case .failure(let error): return error.errnoCode != EAGAIN && error.errnoCode != EWOULDBLOCK
            }
        }
    }

    // MARK: Closing

    /// Closes the sending side (a FIN): the server reads end of input after the request, and may still answer.
    public func shutdownWrite() {
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_WR))
    }

    /// A normal close (FIN).
    public func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// An abortive close: SO_LINGER 0, so the kernel sends a TCP RST.
    public func reset() {
        guard fd >= 0 else { return }
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close()
    }
}

// MARK: - RawExchange

/// What a raw client saw: every byte received, and the error that ended the connection, if any.
public struct RawExchange: Sendable {
    /// All bytes received until the connection ended.
    public var bytes: [UInt8]
    /// The read error that ended the connection (e.g. ECONNRESET), or `nil` for an orderly close (FIN).
    public var error: IOError?

    public init(bytes: [UInt8], error: IOError?) {
        self.bytes = bytes
        self.error = error
    }

    /// The bytes as text (lossy).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The response head (up to the blank line), if a whole head arrived.
    public var head: String? {
        text.range(of: "\r\n\r\n").map { String(text[..<$0.lowerBound]) }
    }

    /// Bytes received after the head.
    public var bodyBytes: Int {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return 0 }
        return bytes.count - end.upperBound
    }

    /// The Content-Length the head announced.
    public var contentLength: Int? {
        head?.split(separator: "\r\n").lazy
            .compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
            .first
    }
}

// MARK: - Ports

/// A port that refuses connections and that nothing else in the machine can take while it is held: a socket
/// bound to it that never listens (a connect gets RST at once; no other test's listener or outgoing connection
/// can be handed the port). ``release()`` frees it for a listener that should appear on the same address.
public final class ReservedPort: @unchecked Sendable {
    public let port: Int
    private let lock = NSLock()
    private var fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocket.Failure(description: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw RawSocket.Failure(description: "bind: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Frees the port (idempotent).
    public func release() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { release() }
}
