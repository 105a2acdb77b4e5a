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

/// File I/O that never returns: the whitelist or the token directory on a FUSE file system that stops
/// answering (stuckfs, stopped with SIGSTOP), the built daemon as a child process. The daemon's file work is
/// abandoned, not awaited: the whitelist is kept, token refreshes go on, calls pass, and SIGTERM is honoured
/// within `shutdown_grace` (5 s) although threads are stuck in the kernel. Serialized: each mounts FUSE.
@Suite(.serialized) struct StuckFileSystemTests {
    /// Invalidates every token at the emulator, then makes a call: it passes only if the daemon can still
    /// refresh (the 40001 recovery fetches a new token). Returns how long the call took.
    private func callAfterInvalidation(_ folder: DaemonFolder, port: Int) async throws -> Duration {
        folder.emulator.knobs.invalidateAllTokens()
        let client = try CurlClient(configuration: .init(), logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() })
        let started = ContinuousClock.now
        let response: UpstreamResponse
        do {
            response = try await client.execute(
                UpstreamRequest(
                    method: "POST", url: "http://127.0.0.1:\(port)/wxa/msg_sec_check",
                    body: ByteBuffer(string: msgSecCheckBody), timeout: .seconds(30)))
        } catch {
            client.shutdown()
            throw error
        }
        client.shutdown()
        #expect(response.status == 200 && String(buffer: response.body).contains("\"errcode\":0"), "\(String(buffer: response.body))")
        return ContinuousClock.now - started
    }

    /// SIGTERM, and how long until the process is gone (status 0 expected within `shutdown_grace`).
    private func terminate(_ daemon: ChildDaemon) async -> (status: Int32?, elapsed: Duration) {
        let started = ContinuousClock.now
        daemon.signal(SIGTERM)
        let status = await daemon.exitStatus(within: .seconds(5 + 4))
        return (status, ContinuousClock.now - started)
    }

    @Test func aWhitelistOnAFileSystemThatStopsAnsweringCostsReloadsNotRefreshesOrShutdown() async throws {
        try await withDaemonFolder { folder in
            try await withStuckFileSystem { fileSystem in
                try "/wxa/msg_sec_check\n".write(toFile: fileSystem.backing + "/whitelist.txt", atomically: true, encoding: .utf8)
                let tokenFile = folder.directory.path("wx/cloudbase_access_token")
                let config = try folder.config(token: tokenFile, whitelist: fileSystem.mountpoint + "/whitelist.txt")
                try await withChildDaemon(["run", "--config", config], logPath: folder.directory.path("run.log")) { daemon in
                    try await daemon.waitForOutput("access_token refreshed")
                    let port = try #require(DaemonFolder.listeningPort(daemon.output))
                    try await fileSystem.stop()
                    // The watcher's next poll waits in the kernel; it is abandoned after 5 s and reported once.
                    try await daemon.waitForOutput("whitelist I/O did not finish within 5 s", timeout: .seconds(15))
                    daemon.signal(SIGHUP)
                    try await daemon.waitForOutput("whitelist reload failed", timeout: .seconds(10))
                    let callTime = try await callAfterInvalidation(folder, port: port)
                    let current = try #require(folder.emulator.knobs.currentToken(.stable)?.value)
                    try await eventually("the new token in the file") {
                        (try? String(contentsOfFile: tokenFile, encoding: .utf8)) == current
                    }
                    let (status, elapsed) = await terminate(daemon)
                    print("StuckFileSystemTests: whitelist stuck: call after invalidation \(callTime), SIGTERM to exit \(elapsed)")
                    #expect(status == 0, "\(daemon.output)")
                    #expect(elapsed < .seconds(5))
                    #expect(daemon.output.contains("wxsidecar stopped"))
                }
            }
        }
    }

    @Test func aTokenDirectoryOnAFileSystemThatStopsAnsweringDoesNotStallRefreshesOrShutdown() async throws {
        try await withDaemonFolder { folder in
            try await withStuckFileSystem { fileSystem in
                let config = try folder.config(token: fileSystem.mountpoint + "/wx/cloudbase_access_token")
                try await withChildDaemon(["run", "--config", config], logPath: folder.directory.path("run.log")) { daemon in
                    try await daemon.waitForOutput("access_token refreshed")
                    let port = try #require(DaemonFolder.listeningPort(daemon.output))
                    let written = try String(contentsOfFile: fileSystem.backing + "/wx/cloudbase_access_token", encoding: .utf8)
                    try await fileSystem.stop()
                    // Upkeep's check of the file hangs, is abandoned, and is reported.
                    try await daemon.waitForOutput("token file I/O", timeout: .seconds(20))
                    // A refresh still completes: its write is abandoned (or not attempted), the token served.
                    let callTime = try await callAfterInvalidation(folder, port: port)
                    #expect(callTime < .seconds(8))
                    #expect(daemon.output.contains("cannot write the token file"))
                    #expect(try String(contentsOfFile: fileSystem.backing + "/wx/cloudbase_access_token", encoding: .utf8) == written)
                    let (status, elapsed) = await terminate(daemon)
                    print("StuckFileSystemTests: token directory stuck: call after invalidation \(callTime), SIGTERM to exit \(elapsed)")
                    #expect(status == 0, "\(daemon.output)")
                    #expect(elapsed < .seconds(5))
                }
            }
        }
    }
}
