// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import NIOPosix
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// What one hostile caller can make a connection cost, end to end: pipelined image requests it never reads, uploads
/// that stall, and a flood of idle sockets.
@Suite struct ConnectionAttackTests {
    @Test func pipelinedImageRequestsThatAreNeverReadHoldOneAnswerAtATime() async throws {
        try await withSidecar { harness in
            let channel = try await HostileClients.silentConnection(port: harness.sidecarPort)
            try await channel.writeAndFlush(HostileClients.pipelinedImageRequests(120, imageBytes: 2_000_000)).get()
            try await eventually("the first image to be fetched") {
                harness.emulator.knobs.stats.requests(to: "/wxa/getwxacode") >= 1
            }
            // Nothing is read by the caller: once the socket buffers are full, no further request is served, so
            // the sidecar holds at most the answer being written (2 MB), not 120 of them (240 MB).
            var served = 0
            var stableSince = ContinuousClock.now
            while ContinuousClock.now - stableSince < .seconds(1) {
                let now = harness.emulator.knobs.stats.requests(to: "/wxa/getwxacode")
                if now != served { (served, stableSince) = (now, .now) }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(served <= 6, "answers fetched while the caller reads nothing: \(served) (of 120 pipelined)")
            print("ConnectionAttackTests: 120 pipelined 2 MB images never read: \(served) fetched")
            try await channel.close().get()
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
        }
    }

    @Test func stalledUploadsLeaveTheProbesAnsweringAndAreClosedAtTheTimeout() async throws {
        var options = SidecarHarness.Options()
        options.extraLimits = "  header_timeout: 2\n  max_concurrent_requests: 64"
        try await withSidecar(options) { harness in
            let started = ContinuousClock.now
            let uploads = try await HostileClients.stalledUploads(70, port: harness.sidecarPort)
            let allOpened = ContinuousClock.now
            // Every concurrency slot is held, yet the probes answer.
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
            #expect(try await harness.send("GET", "/-/ready").status == 200)
            for upload in uploads { try? await upload.closeFuture.get() }
            let elapsed = ContinuousClock.now - started
            // Each upload times out 2 s after its last byte: all are gone well before 2 s after the last opened.
            #expect(ContinuousClock.now - allOpened < .seconds(8), "70 stalled uploads closed after \(elapsed) (header_timeout 2 s)")
            print("ConnectionAttackTests: 70 stalled uploads all closed \(elapsed) after the first was opened")
            #expect(harness.emulator.knobs.stats.requestsByPath.keys.filter { $0.hasPrefix("/echo/upload") }.isEmpty)
            #expect(try await harness.send("POST", "/echo/after", body: "{}").status == 200)
        }
    }

    @Test func idleSocketsBeyondTheCapCannotLockOutProbesOrCalls() async throws {
        var options = SidecarHarness.Options()
        options.extraLimits = "  max_connections: 50"
        try await withSidecar(options) { harness in
            var opened: [any Channel] = []
            for _ in 0..<60 { opened.append(try await HostileClients.silentConnection(port: harness.sidecarPort)) }
            let idle = opened
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
            #expect(try await harness.send("POST", "/echo/call", body: "{}").status == 200)
            // At the cap, each new connection closed an idle one: at least 10 of the 60 idle sockets are gone.
            try await eventually("idle sockets beyond the cap to be closed") {
                var closed = 0
                for channel in idle where !channel.isActive { closed += 1 }
                return closed >= 10
            }
            for channel in idle { try? await channel.close().get() }
        }
    }
}
