// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The built `wxsidecar` executable running as a child process (so real signals reach it, and it runs exactly as
/// `wxsidecar run` sets itself up), its standard error and output recorded line by line. Start one with
/// ``withDaemonProcess(arguments:environment:_:)``, which does not return before the child has exited.
public final class DaemonProcess: Sendable {
    /// Every output line so far.
    public var lines: EventLog<String> { splitter.lines }
    private let process: ChildProcess
    private let splitter: LineSplitter

    /// The executable: `$WXSIDECAR_BINARY`, else `wxsidecar` beside the test bundle (both are built into the
    /// same folder by `swift build --build-tests`).
    public static var executable: String {
        if let override = ProcessInfo.processInfo.environment["WXSIDECAR_BINARY"] { return override }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("wxsidecar").path
    }

    /// The executable and arguments that run `wxsidecar arguments…`, through `launcher` when it is not empty (a
    /// command that ends by executing the one after it: `prlimit … --`, `/bin/sh -c '… exec "$0" "$@"'`).
    public static func launch(_ arguments: [String], through launcher: [String] = []) -> (String, [String]) {
        guard let first = launcher.first else { return (executable, arguments) }
        return (first, Array(launcher.dropFirst()) + [executable] + arguments)
    }

    /// Starts `wxsidecar arguments…` with exactly `environment` (plus PATH), nothing inherited but the
    /// sanitizer settings of `make sanitize` (`ASAN_OPTIONS`, …), without which an instrumented daemon's
    /// exit-time report would change its exit status.
    ///
    /// With `descriptorLimit`, the daemon starts with that many file descriptors (soft and hard), as under a unit's
    /// `LimitNOFILE`: `prlimit` sets the limit on itself and then executes the daemon, so ``pid`` is the daemon's.
    public init(arguments: [String], environment: [String: String], descriptorLimit: Int? = nil) throws {
        let launcher = descriptorLimit.map { ["/usr/bin/prlimit", "--nofile=\($0):\($0)", "--"] } ?? []
        let (executable, arguments) = Self.launch(arguments, through: launcher)
        let sanitizers = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
        let environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
            .merging(sanitizers) { mine, _ in mine }
        // A pipe drained as it fills (never left to block a daemon that logs a lot), shared by both streams.
        let splitter = LineSplitter()
        self.splitter = splitter
        process = try ChildProcess(executable, arguments, environment: environment, output: .chunks(splitter.record))
    }

    deinit {
        process.send(SIGKILL)
    }

    /// The child's process id.
    public var pid: Int32 { process.pid }

    /// Whether the child still runs.
    public var isRunning: Bool { process.isRunning }

    /// Everything the child wrote so far, one line after another.
    public var output: String { lines.items.joined(separator: "\n") }

    /// Sends `signal` to the child.
    public func send(_ signal: Int32) {
        process.send(signal)
    }

    /// The exit status, once the child has exited.
    public func exitStatus(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await process.exitStatus("wxsidecar", timeout: timeout)
    }

    /// SIGTERM, then the exit status; SIGKILL (and `nil`) when it has not exited after `timeout`.
    public func stop(timeout: Duration = .seconds(15)) async -> Int32? {
        send(SIGTERM)
        do {
            return try await exitStatus(timeout: timeout)
        } catch {
            await kill()
            return nil
        }
    }

    /// Kills the child if it still runs and waits for its exit (the end of every test).
    public func kill() async {
        send(SIGKILL)
        _ = try? await exitStatus(timeout: .seconds(10))
    }
}

/// Runs `wxsidecar arguments…` for the duration of `body` and does not return before the child has exited:
/// whatever `body` left running is killed (SIGKILL) and awaited, whether `body` returned or threw.
public func withDaemonProcess<Result>(
    arguments: [String], environment: [String: String], descriptorLimit: Int? = nil,
    _ body: (DaemonProcess) async throws -> Result
) async throws -> Result {
    let daemon = try DaemonProcess(arguments: arguments, environment: environment, descriptorLimit: descriptorLimit)
    return try await withTeardown { try await body(daemon) } teardown: { await daemon.kill() }
}

/// Output bytes cut into lines as they arrive.
private final class LineSplitter: Sendable {
    let lines = EventLog<String>()
    private let partial = Mutex<[UInt8]>([])

    func record(_ bytes: [UInt8]) {
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
