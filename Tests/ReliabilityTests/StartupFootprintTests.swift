// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing
import WeChatEmulator

/// What `wxsidecar run` sets up for its footprint, seen from outside the process: the pages startup touched are
/// let go once it listens (BENCHMARKS.md).
@Suite struct StartupFootprintTests {
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
