// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A FUSE mount (`scripts/stuckfs.c`) over a backing folder that can be made to stop answering, like an NFS
/// server gone away: ``stop()`` sends the file-system process SIGSTOP, and every new operation on the mount then
/// waits in the kernel until ``resume()``. The test reads and writes through ``backing``, never the mount, so it
/// never waits itself.
struct StuckFileSystem: Sendable {
    let backing: String
    let mountpoint: String
    let pid: Int32

    /// The repository's `scripts/` folder.
    static var scripts: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts").path
    }

    /// Runs `scripts/test-tools.sh` (installs fuse3, libfuse3-dev, gcc, python3 when missing; builds stuckfs).
    static func buildTools(into directory: String) async throws {
        let (status, output) = try await runToCompletion(
            "/bin/bash", [scripts + "/test-tools.sh", directory], timeout: .seconds(300))
        guard status == 0 else { throw ToolFailure(description: "scripts/test-tools.sh failed:\n" + output) }
    }

    struct ToolFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends SIGSTOP and waits until every thread of the file system is stopped.
    func stop() async throws {
        kill(pid, SIGSTOP)
        try await eventually("stuckfs to stop") { Self.state(pid) == "T" }
    }

    func resume() {
        kill(pid, SIGCONT)
    }

    /// The process state letter from `/proc/PID/stat`.
    private static func state(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    }
}

/// Builds and mounts stuckfs over a fresh backing folder, runs `body`, then resumes, unmounts and removes
/// everything before returning (a stopped file system is always resumed first, so nothing is left hanging).
func withStuckFileSystem<Result: Sendable>(_ body: @Sendable (StuckFileSystem) async throws -> Result) async throws -> Result {
    let tools = try TemporaryDirectory(prefix: "wxsidecar-stuckfs")
    defer { tools.remove() }
    try await StuckFileSystem.buildTools(into: tools.path)
    let backing = tools.path("backing")
    let mountpoint = tools.path("mnt")
    try FileManager.default.createDirectory(atPath: backing, withIntermediateDirectories: false)
    try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: false)
    let log = tools.path("stuckfs.log")
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let process = try ChildProcess(tools.path("stuckfs"), [backing, mountpoint], output: .file(log))
    let fileSystem = StuckFileSystem(backing: backing, mountpoint: mountpoint, pid: process.pid)
    let result: Swift.Result<Result, any Error>
    do {
        try await eventually("stuckfs to mount", timeout: .seconds(10)) {
            guard process.isRunning else {
                throw StuckFileSystem.ToolFailure(
                    description: "stuckfs exited: " + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
            }
            return ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("stuckfs: mounted")
        }
        result = .success(try await body(fileSystem))
    } catch {
        result = .failure(error)
    }
    fileSystem.resume()
    process.send(SIGTERM)
    if (try? await process.exitStatus("stuckfs", timeout: .seconds(10))) == nil {
        process.send(SIGKILL)
        _ = try? await process.exitStatus("stuckfs", timeout: .seconds(10))
    }
    umount2(mountpoint, Int32(MNT_DETACH))
    return try result.get()
}
