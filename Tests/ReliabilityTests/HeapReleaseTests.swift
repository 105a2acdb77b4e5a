// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import TestSupport
import Testing
import WeChatEmulator

/// The built daemon hands a burst's freed heap back once the burst is over (`HeapReleaser`, every 10 s while no
/// request is in flight): seen from outside, in `wxsidecar_heap_released_bytes_total` and the process's RSS.
@Suite struct HeapReleaseTests {
    static let imageRequest: String = {
        let body = #"{"path":"pages/index","emulator_image_bytes":1000000}"#
        return "POST /wxa/getwxacode HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }()

    static func releasedBytes(_ daemon: SidecarProcess) async throws -> Double {
        let metrics = try await RawHTTPClient.send(
            "GET /-/metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: daemon.port)
        return MetricText.value(of: "wxsidecar_heap_released_bytes_total", in: metrics.text)
    }

    @Test func aBurstOfImageCallersHeapGoesBackOnceItIsOver() async throws {
        try await withEmulator { emulator in
            try await withSidecarProcess(upstream: emulator) { daemon in
                #expect(try await Self.releasedBytes(daemon) == 0)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<256 {
                        group.addTask { try await RawHTTPClient.send(Self.imageRequest, port: daemon.port).body.count }
                    }
                    for try await bytes in group { #expect(bytes == 1_000_000) }
                }
                let afterBurst = try #require(daemon.probe.residentKiB)
                try await eventually("the freed heap to be handed back", timeout: .seconds(30)) {
                    try await Self.releasedBytes(daemon) > 0
                }
                let released = try await Self.releasedBytes(daemon)
                let now = try #require(daemon.probe.residentKiB)
                print("HeapReleaseTests: 256 callers of 1 MB images; RSS \(afterBurst) KiB after the burst, \(now) KiB after "
                    + "the release; \(Int(released) / 1024) KiB counted released")
                #expect(released >= 1024 * 1024, "a burst's worth, not a few pages")
                #expect(try await CallerAttackTests.call(daemon).errcode == 0)
            }
        }
    }
}
