// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends sd_notify(3) state messages (`READY=1`, `RELOADING=1`, `STOPPING=1`, `WATCHDOG=1`, `STATUS=…`) to the
/// service manager: one datagram per message on the unix socket named by `$NOTIFY_SOCKET`.
///
/// Each message opens a fresh `AF_UNIX`/`SOCK_DGRAM` socket and sends with `MSG_DONTWAIT`, so a call never
/// blocks (a full receive queue answers `EAGAIN`): it may run on the Swift concurrency pool.
public struct SystemdNotifier: Sendable, Equatable {
    /// Where the datagrams go.
    public enum Address: Sendable, Equatable, CustomStringConvertible {
        /// A socket file, e.g. `/run/systemd/notify`.
        case path(String)
        /// A Linux abstract socket, written `@name` in `$NOTIFY_SOCKET` (the name excludes the `@`).
        case abstract(String)

        public var description: String {
            switch self {
            case .path(let path): path
            case .abstract(let name): "@" + name
            }
        }
    }

    /// Why a message was not delivered.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The failing call: `socket` or `sendto`.
        public var operation: String
        /// `errno` after it.
        public var code: Int32

        public var description: String { "\(operation): \(String(cString: strerror(code))) (errno \(code))" }
    }

    /// The socket the messages go to.
    public let address: Address

    /// The largest `sun_path`, including the terminating NUL of a path (108 on Linux).
    static let maximumPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    // MARK: Creating

    /// Parses a `$NOTIFY_SOCKET` value: an absolute path, or `@name` for an abstract socket. `nil` for an
    /// empty, relative or over-long value (sd_notify ignores those too).
    public init?(socket value: String) {
        if value.hasPrefix("@"), value.utf8.count >= 2, value.utf8.count <= Self.maximumPathBytes {
            address = .abstract(String(value.dropFirst()))
        } else if value.hasPrefix("/"), value.utf8.count < Self.maximumPathBytes {
            address = .path(value)
        } else {
            return nil
        }
    }

    /// The notifier for `environment["NOTIFY_SOCKET"]`; `nil` when the daemon was not started by systemd
    /// with `Type=notify` (or the value is unusable).
    public init?(environment: [String: String]) {
        guard let value = environment["NOTIFY_SOCKET"] else { return nil }
        self.init(socket: value)
    }

    // MARK: Sending

    /// Sends `message` (newline-separated `KEY=VALUE` assignments) as one datagram.
    public func send(_ message: String) throws(Failure) {
        let fd = socket(AF_UNIX, Self.datagramType, 0)
        guard fd >= 0 else { throw Failure(operation: "socket", code: errno) }
        defer { close(fd) }
        var storage = sockaddr_un()
        let length = fill(&storage)
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Self.sendFlags, socketAddress, length) }
            }
        }
        guard sent >= 0 else { throw Failure(operation: "sendto", code: errno) }
    }

    /// Writes ``address`` into `storage`; returns the address length to pass to `sendto`.
    private func fill(_ storage: inout sockaddr_un) -> socklen_t {
        storage.sun_family = sa_family_t(AF_UNIX)
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let name: [UInt8]
        switch address {
        case .path(let path): name = Array(path.utf8) + [0]
        case .abstract(let abstractName): name = [0] + Array(abstractName.utf8)
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: name.prefix(raw.count))
        }
        return socklen_t(pathOffset + min(name.count, Self.maximumPathBytes))
    }

    #if canImport(Glibc) || canImport(Musl)
    private static let datagramType = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    private static let sendFlags = Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)
    #else
    private static let datagramType = SOCK_DGRAM
    private static let sendFlags = MSG_DONTWAIT
    #endif
}

// MARK: - Messages

extension SystemdNotifier {
    /// The daemon is up: listener bound and a token held (also sent after a reload).
    public static func ready(status: String) -> String { "READY=1\nSTATUS=\(status)" }

    /// A reload starts. `MONOTONIC_USEC` lets systemd 253+ (`Type=notify-reload`) match it to its SIGHUP.
    public static func reloading(status: String) -> String {
        "RELOADING=1\nSTATUS=\(status)\nMONOTONIC_USEC=\(monotonicMicroseconds())"
    }

    /// Graceful shutdown has begun.
    public static func stopping(status: String) -> String { "STOPPING=1\nSTATUS=\(status)" }

    /// A free-text status line, shown by `systemctl status`.
    public static func status(_ text: String) -> String { "STATUS=\(text)" }

    /// The keep-alive ping for `WatchdogSec=`.
    public static let watchdog = "WATCHDOG=1"

    /// `CLOCK_MONOTONIC` in microseconds, the clock systemd compares `MONOTONIC_USEC` against. (Read as two
    /// words, `tv_sec` and `tv_nsec`, the 64-bit layout of `struct timespec`.)
    static func monotonicMicroseconds() -> UInt64 {
        var words: (Int, Int) = (0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            _ = clock_gettime(CLOCK_MONOTONIC, raw.baseAddress!.assumingMemoryBound(to: timespec.self))
        }
        return UInt64(words.0) * 1_000_000 + UInt64(words.1) / 1_000
    }
}
