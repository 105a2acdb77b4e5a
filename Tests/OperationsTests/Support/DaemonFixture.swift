// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import NIOCore
import TestSupport
import WeChatEmulator

/// wxsidecar set up in a temporary folder the way the systemd unit starts it: a YAML configuration without
/// `secret_file` (so the AppSecret comes from `$CREDENTIALS_DIRECTORY/appsecret`), JSON logs, a whitelist, a
/// token folder, and the in-process WeChat emulator as upstream.
struct DaemonFixture: Sendable {
    let directory: TemporaryDirectory
    let emulator: WeChatEmulator
    let emulatorPort: Int

    var configPath: String { directory.path("wxsidecar.yaml") }
    var tokenFile: String { directory.path("wx/cloudbase_access_token") }
    var credentialsDirectory: String { directory.path("credentials") }
    var whitelistPath: String { directory.path("whitelist.txt") }

    /// Writes the files for an emulator on `emulatorPort`.
    init(directory: TemporaryDirectory, emulator: WeChatEmulator, emulatorPort: Int) throws {
        self.directory = directory
        self.emulator = emulator
        self.emulatorPort = emulatorPort
        try FileManager.default.createDirectory(atPath: credentialsDirectory, withIntermediateDirectories: true)
        try directory.write(emulator.configuration.secret + "\n", to: "credentials/appsecret")
        try directory.write("/wxa/msg_sec_check\n", to: "whitelist.txt")
        var yaml = SidecarYAML(upstream: "http://127.0.0.1:\(emulatorPort)", in: directory)
        yaml.appid = emulator.configuration.appid
        yaml.secretFile = nil
        yaml.logFormat = "json"
        try yaml.write(in: directory)
    }

    /// Runs `wxsidecar run --config …` with the environment systemd would give it for the duration of `body`;
    /// the daemon has exited (killed if `body` left it running) before this returns.
    func withDaemon<Result>(
        notifySocket: String? = nil, extraEnvironment: [String: String] = [:], _ body: (DaemonProcess) async throws -> Result
    ) async throws -> Result {
        var environment = ["CREDENTIALS_DIRECTORY": credentialsDirectory]
        environment["NOTIFY_SOCKET"] = notifySocket
        return try await withDaemonProcess(
            arguments: ["run", "--config", configPath], environment: environment.merging(extraEnvironment) { $1 }, body)
    }

    /// ``withDaemon(notifySocket:extraEnvironment:_:)`` with a notification socket in the fixture's folder in
    /// `NOTIFY_SOCKET`; the listener is stopped after the daemon has exited.
    func withNotifiedDaemon<Result>(
        extraEnvironment: [String: String] = [:], _ body: (DaemonProcess, NotifyListener) async throws -> Result
    ) async throws -> Result {
        let listener = try NotifyListener(socketName: directory.path("notify.sock"))
        return try await withTeardown {
            try await withDaemon(notifySocket: listener.socketName, extraEnvironment: extraEnvironment) {
                try await body($0, listener)
            }
        } teardown: {
            await listener.stop()
        }
    }

    /// The token file's content, if it exists.
    var token: String? { try? String(contentsOfFile: tokenFile, encoding: .utf8) }
}

/// Runs `body` with a fresh fixture and a running emulator (``withEmulator(_:caFile:_:)``), stopped afterwards.
func withDaemonFixture<Result: Sendable>(
    _ body: (DaemonFixture) async throws -> Result
) async throws -> Result {
    try await withEmulator { emulator in
        let fixture = try DaemonFixture(
            directory: try TemporaryDirectory(prefix: "wxsidecar-ops"), emulator: emulator.emulator, emulatorPort: emulator.port)
        return try await body(fixture)
    }
}

// MARK: - Reading the daemon

/// A JSON log line as a dictionary, or `nil` when the line is not one JSON object.
func jsonObject(_ line: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
}

/// The port in the daemon's JSON `listening` line (`"wxsidecar.listen": "127.0.0.1:PORT"`).
func listeningPort(_ line: String) -> Int? {
    jsonObject(line)?["msg"] as? String == "listening" ? SidecarProcess.listeningPort(line) : nil
}

/// `GET http://127.0.0.1:port/path`: the status and body.
func httpGet(port: Int, _ path: String) async throws -> (status: Int, body: String) {
    let logger = Logger(label: "operations.client") { _ in SwiftLogNoOpLogHandler() }
    let client = try CurlClient(configuration: .init(maxResponseBytes: 1 << 20), logger: logger)
    defer { client.shutdown() }
    let response = try await client.execute(UpstreamRequest(url: "http://127.0.0.1:\(port)\(path)", timeout: .seconds(10)))
    return (response.status, String(decoding: response.body.readableBytesView, as: UTF8.self))
}
