// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

/// The black-box attacks of issue #10 on the built daemon at full size, with the figures the issue names: what one
/// hostile caller on localhost can make the process cost. (`ConnectionAttackTests` proves the same mechanisms in
/// process, at small sizes.)
@Suite struct CallerAttackTests {
    static func probe(_ daemon: SidecarProcess, _ path: String) async throws -> Int {
        try await RawHTTPClient.send("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: daemon.port).status
    }

    static func call(_ daemon: SidecarProcess) async throws -> RawHTTPClient.Response {
        try await RawHTTPClient.send(
            "POST /wxa/msg_sec_check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(msgSecCheckBody.utf8.count)\r\n\r\n\(msgSecCheckBody)",
            port: daemon.port)
    }

    /// Issue #10: "one connection pipelining 120 requests for 2 MB images and never reading grows RSS by at most
    /// 64 MiB" (before: +228 MiB; 150 × 8 MB took it to 1.21 GB).
    @Test func pipelinedImagesNeverReadGrowResidentMemoryByAtMost64MiB() async throws {
        try await withEmulator { emulator in
            try await withSidecarProcess(upstream: emulator) { daemon in
                for _ in 0..<5 { #expect(try await Self.call(daemon).status == 200) }
                let before = try #require(daemon.probe.residentKiB)
                let channel = try await HostileClients.silentConnection(port: daemon.port)
                try await channel.writeAndFlush(HostileClients.pipelinedImageRequests(120, imageBytes: 2_000_000)).get()
                try await eventually("the first image to be fetched") {
                    emulator.knobs.stats.requests(to: "/wxa/getwxacode") >= 1
                }
                // Sample until the number of images fetched has not moved for a second: the daemon has stopped
                // serving the connection that does not read.
                var peak = before
                var served = 0
                var stableSince = ContinuousClock.now
                while ContinuousClock.now - stableSince < .seconds(1) {
                    peak = max(peak, daemon.probe.residentKiB ?? 0)
                    let now = emulator.knobs.stats.requests(to: "/wxa/getwxacode")
                    if now != served { (served, stableSince) = (now, .now) }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let growth = peak - before
                print(
                    "CallerAttackTests: 120 pipelined 2 MB images never read: \(served) fetched; RSS \(before) KiB → "
                        + "peak \(peak) KiB (+\(growth) KiB; bound 65536 KiB)")
                #expect(growth <= 64 * 1024, "RSS grew by \(growth) KiB")
                #expect(served <= 6, "images fetched for a caller that reads nothing: \(served) of 120")
                try await channel.close().get()
                #expect(try await Self.probe(daemon, "/-/healthy") == 200)
                #expect(try await Self.call(daemon).errcode == 0)
            }
        }
    }

    /// Issue #10: "70 stalled uploads leave `/-/healthy` at 200 and are closed within 30 s" (before: 64 stalled
    /// uploads held every slot forever and `/-/healthy` answered 503). Default limits: `header_timeout` 10 s,
    /// `max_concurrent_requests` 64.
    @Test func seventyStalledUploadsLeaveTheProbesAt200AndAreClosedWithin30Seconds() async throws {
        try await withEmulator { emulator in
            try await withSidecarProcess(upstream: emulator) { daemon in
                let uploads = try await HostileClients.stalledUploads(70, port: daemon.port)
                let allOpened = ContinuousClock.now
                #expect(try await Self.probe(daemon, "/-/healthy") == 200)
                #expect(try await Self.probe(daemon, "/-/ready") == 200)
                for upload in uploads { try? await upload.closeFuture.get() }
                let elapsed = ContinuousClock.now - allOpened
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print("CallerAttackTests: 70 stalled uploads, header_timeout 10 s: the last closed \(String(format: "%.1f", seconds)) s after all were open")
                #expect(elapsed < .seconds(30), "70 stalled uploads closed after \(elapsed)")
                #expect(emulator.knobs.stats.requestsByPath.keys.filter { $0.hasPrefix("/echo/upload") }.isEmpty)
                #expect(try await Self.probe(daemon, "/-/healthy") == 200)
                #expect(try await Self.call(daemon).errcode == 0)
            }
        }
    }

    /// Issue #10: "1,100 idle sockets leave `/-/healthy` and a proxied call working" at systemd's default of 1,024
    /// descriptors (before: calls and probes timed out and the token-file upkeep failed with EMFILE). File work
    /// keeps its reserve: a whitelist edit made during the flood is loaded.
    @Test func elevenHundredIdleSocketsAt1024DescriptorsLeaveProbesCallsAndFileWorkWorking() async throws {
        try await withEmulator { emulator in
            try await withSidecarProcess(upstream: emulator, descriptorLimit: 1024) { daemon in
                #expect(daemon.log.contains("limits.max_connections lowered"), "\(daemon.log)")
                var idle: [any Channel] = []
                for _ in 0..<1100 { idle.append(try await HostileClients.silentConnection(port: daemon.port)) }
                let healthy = try await Self.probe(daemon, "/-/healthy")
                let call = try await Self.call(daemon)
                let descriptors = daemon.probe.openFileDescriptors ?? 0
                let linesBefore = daemon.daemon.lines.items.count
                try daemon.directory.write("/wxa/msg_sec_check\n/wxa/getwxacode\n/echo/*\n/wxa/flood_edit\n", to: "whitelist.txt")
                _ = try await daemon.daemon.lines.first(from: linesBefore, "the whitelist edit to load", timeout: .seconds(20)) {
                    $0.contains("whitelist reloaded") || $0.contains("whitelist reload failed")
                }
                var closed = 0
                for channel in idle where !channel.isActive { closed += 1 }
                print(
                    "CallerAttackTests: 1100 idle sockets at LimitNOFILE 1024: /-/healthy \(healthy), call \(call.status) "
                        + "errcode \(call.errcode ?? -1); daemon holds \(descriptors) descriptors; \(closed) idle sockets closed by the cap")
                #expect(healthy == 200)
                #expect(call.status == 200 && call.errcode == 0, "\(call.text)")
                #expect(descriptors < 1024)
                #expect(daemon.daemon.lines.items[linesBefore...].contains { $0.contains("whitelist reloaded") })
                #expect(!daemon.log.contains("Too many open files"), "\(daemon.log.suffix(2000))")
                #expect(!daemon.log.contains("removed or altered"), "\(daemon.log.suffix(2000))")
                for channel in idle { try? await channel.close().get() }
            }
        }
    }
}
