// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import WeChatEmulator

#if canImport(Glibc)
import Glibc
#endif

/// The built `wxsidecar` executable run as a child process against an in-process emulator over plain HTTP, in a
/// temporary folder (config, whitelist, secret, token folder, log file). For what only a separate process shows:
/// its file descriptors, its resident memory, and that it survives what clients do to it.
///
/// Output goes to a file, never a pipe, so a daemon that logs a lot can never block on a full pipe.
final class SidecarProcess: Sendable {
    let directory: TemporaryDirectory
    let port: Int
    let probe: ProcessProbe
    private let process: Process

    /// The executable: `$WXSIDECAR_BINARY`, else `wxsidecar` beside the test bundle (`swift build --build-tests`
    /// builds both into the same folder).
    static var executable: String {
        if let override = ProcessInfo.processInfo.environment["WXSIDECAR_BINARY"] { return override }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("wxsidecar").path
    }

    /// Starts `wxsidecar run` against `emulator` and returns once it listens and holds a token.
    static func start(
        emulator: WeChatEmulator, emulatorPort: Int, whitelist: String = "/wxa/msg_sec_check\n/wxa/getwxacode\n/echo/*\n",
        upstreamTimeout: Double = 5, logLevel: String = "info"
    ) async throws -> SidecarProcess {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-reliability")
        try directory.write(emulator.configuration.secret + "\n", to: "appsecret")
        try directory.write(whitelist, to: "whitelist.txt")
        let config = try directory.write(
            """
            appid: "\(emulator.configuration.appid)"
            secret_file: "\(directory.path("appsecret"))"
            listen: "127.0.0.1:0"
            upstream:
              base_url: "http://127.0.0.1:\(emulatorPort)"
              timeout: \(upstreamTimeout)
            token:
              file: "\(directory.path("wx/cloudbase_access_token"))"
            whitelist:
              file: "\(directory.path("whitelist.txt"))"
            log:
              level: "\(logLevel)"
            shutdown_grace: 5

            """, to: "wxsidecar.yaml")
        let logPath = directory.path("wxsidecar.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["run", "--config", config]
        // Nothing inherited but the sanitizer settings of `make sanitize`.
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
            .merging(["PATH": "/usr/bin:/bin"]) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        let port: Int
        do {
            port = try await Self.listeningPort(logPath: logPath, process: process)
        } catch {
            process.terminate()
            throw error
        }
        let started = SidecarProcess(directory: directory, port: port, process: process)
        try await eventually("the daemon's first token", timeout: .seconds(20)) {
            FileManager.default.fileExists(atPath: directory.path("wx/cloudbase_access_token"))
        }
        return started
    }

    private init(directory: TemporaryDirectory, port: Int, process: Process) {
        self.directory = directory
        self.port = port
        self.process = process
        self.probe = ProcessProbe(pid: process.processIdentifier)
    }

    deinit {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// The port from the daemon's `listening` line.
    private static func listeningPort(logPath: String, process: Process) async throws -> Int {
        let found = AsyncBox<Int>()
        try await eventually("the daemon to listen", timeout: .seconds(20)) {
            guard process.isRunning else {
                throw Exited(log: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
            }
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            guard let range = text.range(of: "wxsidecar.listen=127.0.0.1:") else { return false }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            guard let port = Int(digits) else { return false }
            found.set(port)
            return true
        }
        return try await found.value(timeout: .seconds(1))
    }

    struct Exited: Error, CustomStringConvertible {
        var log: String
        var description: String { "wxsidecar exited before listening:\n\(log)" }
    }

    /// Everything the daemon wrote so far.
    var log: String { (try? String(contentsOfFile: directory.path("wxsidecar.log"), encoding: .utf8)) ?? "" }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then the exit status (SIGKILL after `timeout`).
    func stop(timeout: Duration = .seconds(15)) async -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let process = self.process
        do {
            try await eventually("wxsidecar to exit", timeout: timeout) { !process.isRunning }
            return process.terminationStatus
        } catch {
            Glibc.kill(process.processIdentifier, SIGKILL)
            return nil
        }
    }
}
