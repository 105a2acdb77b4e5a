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

    /// SIGTERM; how long until the daemon has shut down (`wxsidecar stopped`, expected within `shutdown_grace`), and
    /// its exit status.
    ///
    /// The daemon's shutdown is its own; the process's exit is the kernel's. A thread blocked on a request that the
    /// file system had already taken when it stopped waits uninterruptibly until the file system replies (FUSE
    /// aborts only requests not yet read), and holds the process's exit however the daemon ends (seen once in CI:
    /// `wxsidecar stopped` 3 ms after SIGTERM, the process still there 9 s later). So when the process has not
    /// gone 4 s after its shutdown, the file system is let answer, and then it must exit with 0 at once.
    private func terminate(
        _ daemon: ChildDaemon, _ fileSystem: StuckFileSystem
    ) async throws -> (status: Int32?, shutdown: Duration, heldInKernel: Bool) {
        let started = ContinuousClock.now
        daemon.signal(SIGTERM)
        try await daemon.waitForOutput("wxsidecar stopped", timeout: .seconds(5 + 4))
        let shutdown = ContinuousClock.now - started
        if let status = await daemon.exitStatus(within: .seconds(4)) {
            return (status, shutdown, false)
        }
        fileSystem.resume()
        return (await daemon.exitStatus(within: .seconds(5)), shutdown, true)
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
                    let (status, shutdown, held) = try await terminate(daemon, fileSystem)
                    print("StuckFileSystemTests: whitelist stuck: call after invalidation \(callTime), SIGTERM to shutdown \(shutdown), exit held in the kernel until the file system answered: \(held)")
                    #expect(status == 0, "\(daemon.output)")
                    #expect(shutdown < .seconds(5))
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
                    let (status, shutdown, held) = try await terminate(daemon, fileSystem)
                    print("StuckFileSystemTests: token directory stuck: call after invalidation \(callTime), SIGTERM to shutdown \(shutdown), exit held in the kernel until the file system answered: \(held)")
                    #expect(status == 0, "\(daemon.output)")
                    #expect(shutdown < .seconds(5))
                }
            }
        }
    }
}
