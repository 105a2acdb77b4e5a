// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The built `wxsidecar` executable running as a child process (so real signals reach it), its standard
/// error and output recorded line by line.
final class DaemonProcess: Sendable {
    /// Every output line so far.
    let lines = EventLog<String>()
    private let process: Process
    private let exit = EventLog<Int32>()
    private let partial = Mutex<[UInt8]>([])

    /// The executable: `$WXSIDECAR_BINARY`, else `wxsidecar` beside the test bundle (both are built into the
    /// same folder by `swift build --build-tests`).
    static var executable: String {
        if let override = ProcessInfo.processInfo.environment["WXSIDECAR_BINARY"] { return override }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("wxsidecar").path
    }

    /// Starts `wxsidecar arguments…` with exactly `environment` (plus PATH), nothing inherited but the
    /// sanitizer settings of `make sanitize` (`ASAN_OPTIONS`, …), without which an instrumented daemon's
    /// exit-time report would change its exit status.
    init(arguments: [String], environment: [String: String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        let sanitizers = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
            .merging(sanitizers) { mine, _ in mine }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let exit = self.exit
        process.terminationHandler = { exit.append($0.terminationStatus) }
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                record(Array(data))
            }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// The child's process id.
    var pid: Int32 { process.processIdentifier }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
    }

    /// The exit status, once the child has exited.
    func exitStatus(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await exit.first("exit of wxsidecar", timeout: timeout) { _ in true }.item
    }

    /// Kills the child if it still runs (the end of every test).
    func kill() async {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        _ = try? await exitStatus(timeout: .seconds(10))
    }

    private func record(_ bytes: [UInt8]) {
        let complete: [String] = partial.withLock { buffer in
            buffer += bytes
            var found: [String] = []
            while let newline = buffer.firstIndex(of: 0x0a) {
                found.append(String(decoding: buffer[..<newline], as: UTF8.self))
                buffer.removeSubrange(...newline)
            }
            return found
        }
        for line in complete { lines.append(line) }
    }
}
