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
        try directory.write(
            """
            appid: "\(emulator.configuration.appid)"
            listen: "127.0.0.1:0"
            upstream:
              base_url: "http://127.0.0.1:\(emulatorPort)"
              timeout: 5
            token:
              file: "\(tokenFile)"
            whitelist:
              file: "\(whitelistPath)"
            log:
              format: "json"
            shutdown_grace: 5

            """, to: "wxsidecar.yaml")
    }

    /// `wxsidecar run --config …` with the environment systemd would give it.
    func startDaemon(notifySocket: String?, extraEnvironment: [String: String] = [:]) throws -> DaemonProcess {
        var environment = ["CREDENTIALS_DIRECTORY": credentialsDirectory]
        environment["NOTIFY_SOCKET"] = notifySocket
        return try DaemonProcess(
            arguments: ["run", "--config", configPath], environment: environment.merging(extraEnvironment) { $1 })
    }

    /// A notification socket in the fixture's folder.
    func makeNotifyListener() throws -> NotifyListener {
        try NotifyListener(socketName: directory.path("notify.sock"))
    }

    /// The token file's content, if it exists.
    var token: String? { try? String(contentsOfFile: tokenFile, encoding: .utf8) }
}

/// Runs `body` with a fresh fixture and a running emulator, stopped afterwards.
func withDaemonFixture<Result: Sendable>(
    _ body: @Sendable (DaemonFixture) async throws -> Result
) async throws -> Result {
    let logger = Logger(label: "operations.emulator") { _ in SwiftLogNoOpLogHandler() }
    let emulator = WeChatEmulator(configuration: EmulatorConfiguration(), logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await emulator.run() }
        defer { group.cancelAll() }
        let port = try await emulator.waitUntilListening()
        let fixture = try DaemonFixture(
            directory: try TemporaryDirectory(prefix: "wxsidecar-ops"), emulator: emulator, emulatorPort: port)
        return try await body(fixture)
    }
}

// MARK: - Reading the daemon

/// A JSON log line as a dictionary, or `nil` when the line is not one JSON object.
func jsonObject(_ line: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
}

/// The port in the daemon's `listening` line (`wxsidecar.listen: "127.0.0.1:PORT"`).
func listeningPort(_ line: String) -> Int? {
    guard let object = jsonObject(line), object["msg"] as? String == "listening",
        let address = object["wxsidecar.listen"] as? String, let colon = address.lastIndex(of: ":")
    else { return nil }
    return Int(address[address.index(after: colon)...])
}

/// `GET http://127.0.0.1:port/path`: the status and body.
func httpGet(port: Int, _ path: String) async throws -> (status: Int, body: String) {
    let logger = Logger(label: "operations.client") { _ in SwiftLogNoOpLogHandler() }
    let client = try CurlClient(configuration: .init(maxResponseBytes: 1 << 20), logger: logger)
    defer { client.shutdown() }
    let response = try await client.execute(UpstreamRequest(url: "http://127.0.0.1:\(port)\(path)", timeout: .seconds(10)))
    return (response.status, String(decoding: response.body.readableBytesView, as: UTF8.self))
}
