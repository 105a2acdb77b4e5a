// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import TestSupport
import Testing
import WeChatEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Hundreds of clients that give up mid-request, against the built `wxsidecar` in a process of its own: it
/// must not crash, must keep serving, and must give back every file descriptor and its memory.
@Suite struct DisconnectingClientsTests {
    /// One way a client gives up, sent on `count` connections at once.
    enum Abandon: String, CaseIterable, Sendable {
        case connectAndClose = "connects and closes"
        case halfRequestLine = "half a request line"
        case headersThenClose = "headers, no body, close"
        case partialBodyThenClose = "part of a declared body, close"
        case partialBodyThenReset = "part of a declared body, RST"
        case partialChunkThenReset = "half a chunk, RST"
        case slowUpstreamThenClose = "a whole request to a slow upstream, close before the answer"
        case slowUpstreamThenReset = "a whole request to a slow upstream, RST before the answer"
        case bigAnswerUnread = "asks for a 1 MiB image, never reads it, RST"

        var request: [UInt8] {
            switch self {
            case .connectAndClose: return []
            case .halfRequestLine: return Array("POST /wxa/msg_sec".utf8)
            case .headersThenClose, .partialBodyThenClose, .partialBodyThenReset:
                return Array("POST /echo/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".utf8)
                    + (self == .headersThenClose ? [] : [UInt8](repeating: 0x61, count: 1000))
            case .partialChunkThenReset:
                return Array("POST /echo/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\nabc".utf8)
            case .slowUpstreamThenClose, .slowUpstreamThenReset:
                return Array("GET /echo/slow HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            case .bigAnswerUnread:
                let body = #"{"path":"p","emulator_image_bytes":1048576}"#
                return Array("POST /wxa/getwxacode HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            }
        }

        var resets: Bool { [.partialBodyThenReset, .partialChunkThenReset, .slowUpstreamThenReset, .bigAnswerUnread].contains(self) }
        /// How long the client stays before giving up: long enough for the sidecar to be mid-way.
        var linger: useconds_t { [.slowUpstreamThenClose, .slowUpstreamThenReset, .bigAnswerUnread].contains(self) ? 150_000 : 20_000 }
    }

    /// Opens `count` connections, sends each `abandon.request`, waits a moment, and gives up on all of them.
    private static func abandon(_ abandon: Abandon, count: Int, port: Int) async throws {
        try await DedicatedThread.run {
            var sockets: [RawSocket] = []
            for _ in 0..<count {
                let socket = try RawSocket(port: port)
                if !abandon.request.isEmpty { socket.send(abandon.request) }
                sockets.append(socket)
            }
            usleep(abandon.linger)
            for socket in sockets {
                if abandon.resets { socket.reset() } else { socket.close() }
            }
        }
    }

    private static func normalCallsPass(_ daemon: SidecarProcess, count: Int = 10) async throws -> Bool {
        for _ in 0..<count {
            let response = try await RawHTTPClient.send(
                "POST /wxa/msg_sec_check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(msgSecCheckBody.utf8.count)\r\n\r\n\(msgSecCheckBody)",
                port: daemon.port)
            guard response.status == 200, response.errcode == 0 else {
                Issue.record("a normal call got \(response.status): \(response.text)")
                return false
            }
        }
        return true
    }

    @Test func abandonedRequestsLeakNoDescriptorsNorMemoryAndTheDaemonKeepsServing() async throws {
        try await withEmulator { emulator in
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/slow", action: .none, delay: .milliseconds(600)))
            // Instrumented builds (make sanitize) run several times slower: a longer upstream timeout there.
            try await withSidecarProcess(upstream: emulator, configure: { $0.upstreamTimeout = Self.sanitized ? 30 : 3 }) { daemon in
                let perKind = 100
                let drained = { try await Self.drained(daemon, upstreamPort: emulator.port) }

                // Warm-up round: pools, caches and the allocator reach their working size.
                for kind in Abandon.allCases { try await Self.abandon(kind, count: perKind, port: daemon.port) }
                let baseline = try await drained()
                #expect(try await Self.normalCallsPass(daemon))
                let rssAfterWarmUp = try #require(daemon.probe.residentKiB)

                // Measured rounds.
                let rounds = 3
                var abandoned = 0
                for _ in 0..<rounds {
                    for kind in Abandon.allCases {
                        try await Self.abandon(kind, count: perKind, port: daemon.port)
                        abandoned += perKind
                        #expect(daemon.probe.isAlive, "wxsidecar died after \(kind.rawValue)")
                    }
                    _ = try await drained()
                    #expect(try await Self.normalCallsPass(daemon), "normal calls after a round of abandoned ones")
                }
                let final = try await drained()
                let rssAfter = try #require(daemon.probe.residentKiB)
                print(
                    "ReliabilityTests: \(abandoned) abandoned requests (\(Abandon.allCases.count) kinds); "
                        + "fds \(baseline) → \(final); RSS \(rssAfterWarmUp) KiB → \(rssAfter) KiB")
                // Under ThreadSanitizer the runtime opens two pipes to its symbolizer when it first symbolizes a stack.
                #expect(
                    final.nonSockets(countingPipes: !Self.sanitized) == baseline.nonSockets(countingPipes: !Self.sanitized),
                    "non-socket descriptors went from \(baseline) to \(final)")
                #expect(final.other <= baseline.other + 2, "other descriptors went from \(baseline) to \(final)")
                #expect(final.upstream <= 64, "more upstream connections than libcurl's cache holds: \(final)")
                // Under AddressSanitizer freed memory sits in quarantine (up to 256 MiB): RSS says nothing there.
                #expect(Self.sanitized || rssAfter - rssAfterWarmUp < 16 * 1024, "RSS grew by \(rssAfter - rssAfterWarmUp) KiB")
                #expect(daemon.isRunning)
                #expect(try await Self.normalCallsPass(daemon))
                #expect(!daemon.log.contains("Fatal error"), "\(daemon.log.suffix(2000))")
                #expect(await daemon.stop() == 0, "a clean exit on SIGTERM after the storm")
            }
        }
    }

    /// Whether this is a `make sanitize` run (the daemon is instrumented too).
    static let sanitized = ProcessInfo.processInfo.environment.keys.contains { $0 == "ASAN_OPTIONS" || $0 == "TSAN_OPTIONS" }

    /// Waits until every abandoned connection is closed on the daemon's side (which happens once its
    /// request, including any upstream call, has finished), then returns the descriptor counts.
    private static func drained(_ daemon: SidecarProcess, upstreamPort: Int) async throws -> ProcessProbe.Descriptors {
        let last = DescriptorsBox()
        do {
            try await eventually("every abandoned connection to close", timeout: .seconds(sanitized ? 120 : 30)) {
                let now = daemon.probe.descriptors(listenPort: daemon.port, upstreamPort: upstreamPort)
                last.value = now
                return now?.clients == 0
            }
        } catch {
            Issue.record("still open: \(last.value.map(String.init(describing:)) ?? "?")")
            throw error
        }
        return try #require(last.value)
    }
}

/// The last sample, shared with a polling closure.
final class DescriptorsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: ProcessProbe.Descriptors?
    var value: ProcessProbe.Descriptors? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
