// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for systemd's notification socket: an `AF_UNIX`/`SOCK_DGRAM` socket (a file, or an abstract
/// `@name`) whose datagrams a dedicated thread receives into ``messages``.
final class NotifyListener: Sendable {
    /// The value to put in `NOTIFY_SOCKET`.
    let socketName: String
    /// Every datagram received, as text.
    let messages = EventLog<String>()
    private let fd: Int32
    private let stopped = Atomic(false)
    private let finished = EventLog<Bool>()

    /// Binds `socketName` (a path, or `@name` for an abstract socket) and starts receiving.
    init(socketName: String) throws {
        self.socketName = socketName
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let name = socketName.hasPrefix("@") ? [0] + Array(socketName.utf8.dropFirst()) : Array(socketName.utf8) + [0]
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + name.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        let thread = Thread { [self] in receiveLoop() }
        thread.name = "notify-listener"
        thread.start()
    }

    /// Stops the receiving thread and closes the socket.
    func stop() async {
        stopped.store(true, ordering: .relaxed)
        _ = try? await finished.first("listener stop", timeout: .seconds(5)) { _ in true }
        close(fd)
        if !socketName.hasPrefix("@") { unlink(socketName) }
    }

    /// Blocking poll/recv, on its own thread (never on the concurrency pool).
    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopped.load(ordering: .relaxed) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { messages.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
        }
        finished.append(true)
    }
}
