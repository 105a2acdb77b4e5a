// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM on the real `wxsidecar run` process: it stops accepting, lets the requests in flight finish
/// (within `shutdown_grace`), and exits 0.
@Suite("graceful shutdown (wxsidecar run as a child process)")
struct GracefulShutdownTests {
    @Test("SIGTERM with slow requests in flight: every one completes with its own answer, then exit 0")
    func slowRequestsInFlightComplete() async throws {
        try await withDaemonFixture { fixture in
            try fixture.directory.write("/wxa/msg_sec_check\n/echo/*\n", to: "whitelist.txt")
            try await fixture.withDaemon { daemon in
                let listening = try await daemon.lines.first("listening line") { listeningPort($0) != nil }
                let port = try #require(listeningPort(listening.item))
                _ = try await daemon.lines.first("first token") { jsonObject($0)?["wxsidecar.token.fingerprint"] != nil }
                fixture.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/slow", action: .none, delay: .seconds(2)))

                let client = try CurlClient(configuration: .init(), logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() })
                defer { client.shutdown() }
                let inFlight = 8
                let answers = Task {
                    try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
                        for index in 0..<inFlight {
                            group.addTask {
                                let response = try await client.execute(UpstreamRequest(
                                    url: "http://127.0.0.1:\(port)/echo/slow\(index)", timeout: .seconds(20)))
                                return (index, response.status, String(buffer: response.body))
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
                try await eventually("all slow requests to reach the upstream") {
                    (0..<inFlight).allSatisfy { fixture.emulator.knobs.stats.requests(to: "/echo/slow\($0)") == 1 }
                }
                daemon.send(SIGTERM)
                let results = try await answers.value
                #expect(results.count == inFlight)
                for (index, status, body) in results {
                    #expect(status == 200)
                    #expect(body.contains("/echo/slow\(index)"))
                }
                #expect(try await daemon.exitStatus() == 0)
                // The listener is gone: new connections are refused.
                await #expect(throws: (any Error).self) { _ = try await httpGet(port: port, "/-/healthy") }
            }
        }
    }
}
