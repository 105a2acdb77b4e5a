// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

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

    /// Whether the process still exists and is not a zombie.
    var isAlive: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
