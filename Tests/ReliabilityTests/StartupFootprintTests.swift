// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

/// What `wxsidecar run` sets up for its footprint, seen from outside the process: one event loop per core but
/// one, and the pages startup touched let go once it listens (BENCHMARKS.md).
@Suite struct StartupFootprintTests {
    /// The names of the process's threads (`/proc/PID/task/*/comm`).
    static func threadNames(_ pid: Int32) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").compactMap {
            try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test func theDaemonRunsOneEventLoopPerCoreButOne() async throws {
        try await withEmulator { emulator in
            try await withSidecarProcess(upstream: emulator) { daemon in
                let loops = try Self.threadNames(daemon.pid).filter { $0.hasPrefix("NIO-SGLTN-") }
                #expect(loops.count == max(1, System.coreCount - 1), "event loop threads: \(loops)")
                #expect(try await CallerAttackTests.call(daemon).errcode == 0)
            }
        }
    }

    @Test func startupPagesAreReleasedOnceListeningAndServingGoesOn() async throws {
        try await withEmulator { emulator in
            try await withSidecarProcess(upstream: emulator) { daemon in
                try await eventually("the released-pages line") { daemon.log.contains("released startup pages") }
                let line = try #require(daemon.log.split(separator: "\n").first { $0.contains("released startup pages") })
                let kib = try #require(line.firstRange(of: "wxsidecar.memory.released_kib=").map {
                    Int(line[$0.upperBound...].prefix { $0.isNumber })
                } ?? nil)
                #expect(kib >= 4096, "released \(kib) KiB: \(line)")
                for _ in 0..<20 { #expect(try await CallerAttackTests.call(daemon).errcode == 0) }
                #expect(try await CallerAttackTests.probe(daemon, "/-/healthy") == 200)
                #expect(try await CallerAttackTests.probe(daemon, "/-/metrics") == 200)
            }
        }
    }
}
