// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import WeChatEmulator

/// The built `wxsidecar run` as a child process against a running emulator, in a temporary folder (config,
/// whitelist, secret, token folder): the daemon exactly as it runs in production, its global executor on the
/// event loops (``EventLoopExecutor``) included, and what only a separate process shows (its file descriptors,
/// its memory, signals). Start one with ``withSidecarProcess(upstream:whitelist:configure:_:)``.
public final class SidecarProcess: Sendable {
    public let directory: TemporaryDirectory
    /// The child process and its output.
    public let daemon: DaemonProcess
    /// The port it listens on, from its `listening` line.
    public let port: Int

    init(directory: TemporaryDirectory, daemon: DaemonProcess, port: Int) {
        self.directory = directory
        self.daemon = daemon
        self.port = port
    }

    /// The executable (``DaemonProcess/executable``).
    public static var executable: String { DaemonProcess.executable }

    /// The child's process id.
    public var pid: Int32 { daemon.pid }
    /// Everything the daemon wrote so far.
    public var log: String { daemon.output }
    public var isRunning: Bool { daemon.isRunning }
    public var tokenFile: String { directory.path("wx/cloudbase_access_token") }
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// SIGTERM, then the exit status (SIGKILL, and `nil`, after `timeout`).
    public func stop(timeout: Duration = .seconds(15)) async -> Int32? {
        await daemon.stop(timeout: timeout)
    }

    /// The port in the daemon's `listening` line, in either log format (`wxsidecar.listen=127.0.0.1:PORT` in text,
    /// `"wxsidecar.listen":"127.0.0.1:PORT"` in JSON).
    public static func listeningPort(_ line: String) -> Int? {
        guard let key = line.range(of: "wxsidecar.listen"),
            let address = line[key.upperBound...].range(of: "127.0.0.1:")
        else { return nil }
        return Int(line[address.upperBound...].prefix { $0.isNumber })
    }
}

/// Runs `wxsidecar run` against `upstream` for the duration of `body`, once it listens and its first token file
/// exists; the daemon is killed and awaited, and its folder removed, before this returns (whether `body` returned
/// or threw). `configure` may change the YAML before it is written (log level, timeouts, limits);
/// `descriptorLimit` starts it with that `RLIMIT_NOFILE`.
public func withSidecarProcess<Result>(
    upstream: RunningEmulator,
    whitelist: String = "/wxa/msg_sec_check\n/wxa/getwxacode\n/echo/*\n",
    configure: (inout SidecarYAML) -> Void = { _ in },
    descriptorLimit: Int? = nil,
    _ body: (SidecarProcess) async throws -> Result
) async throws -> Result {
    let directory = try TemporaryDirectory(prefix: "wxsidecar-process")
    defer { directory.remove() }
    try directory.write(upstream.configuration.secret + "\n", to: "appsecret")
    try directory.write(whitelist, to: "whitelist.txt")
    var yaml = SidecarYAML(upstream: upstream.url(""), in: directory)
    yaml.appid = upstream.configuration.appid
    configure(&yaml)
    let config = try yaml.write(in: directory)
    return try await withDaemonProcess(
        arguments: ["run", "--config", config], environment: [:], descriptorLimit: descriptorLimit
    ) { daemon in
        let listening = try await daemon.lines.first("the daemon to listen", timeout: .seconds(20)) {
            SidecarProcess.listeningPort($0) != nil
        }
        let process = SidecarProcess(
            directory: directory, daemon: daemon, port: SidecarProcess.listeningPort(listening.item) ?? 0)
        try await eventually("the daemon's first token", timeout: .seconds(20)) {
            FileManager.default.fileExists(atPath: process.tokenFile)
        }
        return try await body(process)
    }
}
