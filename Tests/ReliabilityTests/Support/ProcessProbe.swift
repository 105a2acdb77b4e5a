// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport

/// What `/proc` says about a process: open file descriptors and resident memory. Linux only.
struct ProcessProbe: Sendable {
    let pid: Int32

    /// The number of open file descriptors (`/proc/PID/fd`), or `nil` once the process is gone.
    var openFileDescriptors: Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// The resident set size in KiB (`VmRSS` in `/proc/PID/status`), or `nil` once the process is gone.
    var residentKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// The number of threads (`Threads` in `/proc/PID/status`).
    var threads: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.split(separator: "\t", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// The process's open descriptors by kind: TCP connections accepted on `listenPort` (clients), TCP
    /// connections to `upstreamPort`, and everything else (files, the listener, epoll, eventfds, pipes).
    struct Descriptors: Sendable, Equatable, CustomStringConvertible {
        var clients = 0
        var upstream = 0
        var other = 0
        /// What the `other` descriptors are: `socket` (not TCP to the two ports), `anon_inode:[eventfd]`, a path…
        var otherKinds: [String: Int] = [:]
        var total: Int { clients + upstream + other }
        /// Descriptors that are not sockets: files, pipes, eventfds, epoll, timerfds, signalfds.
        var nonSockets: Int { nonSockets(countingPipes: true) }

        /// ``nonSockets``, optionally without pipes (a sanitizer's runtime keeps two to its symbolizer).
        func nonSockets(countingPipes: Bool) -> Int {
            otherKinds.filter { !$0.key.hasPrefix("socket") && !$0.key.hasPrefix("tcp") && (countingPipes || !$0.key.hasPrefix("pipe")) }
                .values.reduce(0, +)
        }
        var description: String {
            let kinds = otherKinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "\(total) (clients \(clients), upstream \(upstream), other \(other): \(kinds))"
        }
    }

    /// Counts the descriptors by kind, matching socket inodes against `/proc/PID/net/tcp{,6}`.
    func descriptors(listenPort: Int, upstreamPort: Int) -> Descriptors? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
        let sockets = tcpSockets()
        var result = Descriptors()
        for entry in entries {
            // A descriptor closed between the listing and here is simply gone.
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(entry)") else {
                continue
            }
            guard target.hasPrefix("socket:["), let inode = UInt64(target.dropFirst(8).dropLast()),
                let socket = sockets[inode]
            else {
                result.other += 1
                let kind = target.hasPrefix("socket:[") ? "socket (not TCP)" : target.hasPrefix("/") ? "file" : String(target.prefix { $0 != "[" || target.hasPrefix("anon") })
                result.otherKinds[kind, default: 0] += 1
                continue
            }
            if socket.state != 0x0A && socket.localPort == listenPort {
                result.clients += 1
            } else if socket.remotePort == upstreamPort {
                result.upstream += 1
            } else {
                result.other += 1
                result.otherKinds["tcp \(socket.localPort)→\(socket.remotePort) state \(socket.state)", default: 0] += 1
            }
        }
        return result
    }

    /// inode → ports and state, from the process's view of `/proc/net/tcp` and `/proc/net/tcp6`.
    private func tcpSockets() -> [UInt64: (localPort: Int, remotePort: Int, state: Int)] {
        var sockets: [UInt64: (localPort: Int, remotePort: Int, state: Int)] = [:]
        for table in ["tcp", "tcp6"] {
            // procfs files report size 0: read to the end rather than trusting the size.
            guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/net/\(table)") else { continue }
            let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            try? handle.close()
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, let inode = UInt64(fields[9]) else { continue }
                func port(_ address: Substring) -> Int { Int(address.split(separator: ":").last ?? "", radix: 16) ?? -1 }
                sockets[inode] = (port(fields[1]), port(fields[2]), Int(fields[3], radix: 16) ?? -1)
            }
        }
        return sockets
    }

    /// Whether the process still exists and is not a zombie.
    var isAlive: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}

extension SidecarProcess {
    /// What `/proc` says about the daemon.
    var probe: ProcessProbe { ProcessProbe(pid: pid) }
}
