// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import WeChatEmulator

#if canImport(Glibc)
import Glibc
#endif

/// A `wxsidecar` command run as a child process with a configuration the test wrote, for what only a separate
/// process shows: exit statuses, signals, its own umask or descriptor limit, threads stuck in the kernel. Output
/// (both streams) goes to a file, never a pipe that could fill.
final class ChildDaemon: Sendable {
    private let process: ChildProcess
    let logPath: String

    /// Starts `wxsidecar arguments…`; with `umask`, through `/bin/sh` setting that umask first.
    init(_ arguments: [String], logPath: String, umask: String? = nil) throws {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let launcher = umask.map { ["/bin/sh", "-c", "umask \($0) && exec \"$0\" \"$@\""] } ?? []
        let (executable, arguments) = DaemonProcess.launch(arguments, through: launcher)
        let environment = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
            .merging(["PATH": "/usr/bin:/bin"]) { $1 }
        self.logPath = logPath
        process = try ChildProcess(executable, arguments, environment: environment, output: .file(logPath))
    }

    var pid: Int32 { process.pid }
    var isRunning: Bool { process.isRunning }
    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { process.send(signal) }

    /// Waits until the output contains `needle`; fails at once if the process exits first.
    func waitForOutput(_ needle: String, timeout: Duration = .seconds(20)) async throws {
        try await eventually("\"\(needle)\" from wxsidecar", timeout: timeout) {
            if self.output.contains(needle) { return true }
            guard self.process.isRunning else { throw Exited(output: self.output) }
            return false
        }
    }

    /// The exit status, or `nil` if the process still runs after `timeout`.
    func exitStatus(within timeout: Duration) async -> Int32? {
        try? await process.exitStatus("wxsidecar", timeout: timeout)
    }

    /// SIGKILL if still running, and the wait for it (every test's end).
    func kill() async {
        process.send(SIGKILL)
        _ = await exitStatus(within: .seconds(20))
    }

    struct Exited: Error, CustomStringConvertible {
        var output: String
        var description: String { "wxsidecar exited early:\n\(output)" }
    }

    /// Runs a command to its end: the exit status and the output.
    static func run(_ arguments: [String], logPath: String, timeout: Duration = .seconds(30)) async throws -> (
        status: Int32, output: String
    ) {
        let child = try ChildDaemon(arguments, logPath: logPath)
        guard let status = await child.exitStatus(within: timeout) else {
            await child.kill()
            throw TimedOut(what: "wxsidecar \(arguments.joined(separator: " "))")
        }
        return (status, child.output)
    }
}

/// Runs `body` with `wxsidecar arguments…` started; the process is killed (if still running) and reaped before
/// this returns, whether `body` returned or threw.
func withChildDaemon<Result>(
    _ arguments: [String], logPath: String, umask: String? = nil, _ body: (ChildDaemon) async throws -> Result
) async throws -> Result {
    let daemon = try ChildDaemon(arguments, logPath: logPath, umask: umask)
    let result: Swift.Result<Result, any Error>
    do {
        result = .success(try await body(daemon))
    } catch {
        result = .failure(error)
    }
    await daemon.kill()
    return try result.get()
}

/// A temporary folder with an AppSecret and a whitelist, and a running plain-HTTP emulator, for configurations
/// a test writes itself (``config(token:whitelist:extra:)``).
struct DaemonFolder: Sendable {
    let directory: TemporaryDirectory
    let emulator: WeChatEmulator
    let emulatorPort: Int

    /// A configuration file with the given token file, whitelist file (default: the folder's) and extra lines.
    func config(token: String, whitelist: String? = nil, listen: String = "127.0.0.1:0", extra: String = "") throws -> String {
        try directory.write(
            """
            appid: "\(emulator.configuration.appid)"
            secret_file: "\(directory.path("appsecret"))"
            listen: "\(listen)"
            upstream:
              base_url: "http://127.0.0.1:\(emulatorPort)"
              timeout: 5
            token:
              file: "\(token)"
            whitelist:
              file: "\(whitelist ?? directory.path("whitelist.txt"))"
            shutdown_grace: 5
            \(extra)

            """, to: "wxsidecar-\(UInt32.random(in: 0...UInt32.max)).yaml")
    }

    /// The port from a text log's `listening` line.
    static func listeningPort(_ output: String) -> Int? {
        guard let range = output.range(of: "wxsidecar.listen=127.0.0.1:") else { return nil }
        return Int(output[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Runs `body` with a fresh ``DaemonFolder``; the emulator stops and the folder is removed before it returns.
func withDaemonFolder<Result: Sendable>(_ body: @Sendable (DaemonFolder) async throws -> Result) async throws -> Result {
    let directory = try TemporaryDirectory(prefix: "wxsidecar-hardening")
    defer { directory.remove() }
    try directory.write(SidecarHarness.secret + "\n", to: "appsecret")
    try directory.write("/wxa/msg_sec_check\n/echo/*\n", to: "whitelist.txt")
    let (emulator, task) = try await startEmulator(port: 0)
    let port = try await emulator.waitUntilListening()
    let result: Swift.Result<Result, any Error>
    do {
        result = .success(try await body(DaemonFolder(directory: directory, emulator: emulator, emulatorPort: port)))
    } catch {
        result = .failure(error)
    }
    task.cancel()
    _ = await task.result
    return try result.get()
}
