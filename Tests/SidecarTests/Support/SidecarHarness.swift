// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Sidecar
import TestSupport
import WeChatEmulator

/// One emulator (HTTPS with a throwaway CA, or plain HTTP) and one sidecar in this process, on free ports,
/// with a temporary token directory, whitelist and config file. Requests go through real sockets and real
/// libcurl; logs go through the daemon's real handler into ``logs``.
final class SidecarHarness: Sendable {
    let directory: TemporaryDirectory
    let emulator: WeChatEmulator
    let emulatorPort: Int
    let app: SidecarApp
    let sidecarPort: Int
    let logs: LogCapture
    let client: CurlClient
    let group: ServiceGroup
    /// Kept alive: its folder (CA, certificate, key) is removed when it is released.
    let tls: TestTLS?
    private let tasks: [Task<Void, any Error>]

    static let secret = "emulator-secret"

    /// Options a test may change before start.
    struct Options: Sendable {
        var tls = true
        var mode = "stable"
        var whitelist = "/wxa/msg_sec_check\n/wxa/getwxacode\n/tcb/invokecloudfunction\n/echo/*\n"
        var extraYAML = ""
        var emulatorFaults: [EmulatorFault] = []
        var tokenLifetime = 7200
        var waitForToken = true
        var upstreamOverride: String?
        var trustCA = true
        var upstreamTimeout = 5.0
        var maxBodyBytes = 10_485_760
    }

    /// Starts everything; returns once the sidecar listens (and, by default, holds a token).
    static func start(_ options: Options = Options()) async throws -> SidecarHarness {
        let directory = try TemporaryDirectory()
        let tls = options.tls ? try TestTLS.generate() : nil
        let emulator = WeChatEmulator(
            configuration: EmulatorConfiguration(
                tls: tls.map { .init(certificatePath: $0.certificatePath, privateKeyPath: $0.privateKeyPath) },
                secret: secret, tokenLifetime: options.tokenLifetime),
            logger: Logger(label: "emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        for fault in options.emulatorFaults { emulator.knobs.addFault(fault) }
        let emulatorTask = Task { try await emulator.run() }
        let emulatorPort = try await emulator.waitUntilListening()
        let scheme = options.tls ? "https" : "http"
        let upstream = options.upstreamOverride ?? "\(scheme)://localhost:\(emulatorPort)"
        _ = try directory.write(secret + "\n", to: "appsecret")
        _ = try directory.write(options.whitelist, to: "whitelist.txt")
        let yaml = """
            appid: "wx0123456789abcdef"
            secret_file: "\(directory.path("appsecret"))"
            listen: "127.0.0.1:0"
            upstream:
              base_url: "\(upstream)"
              ca_file: "\(options.trustCA ? tls?.caPath ?? "" : "")"
              timeout: \(options.upstreamTimeout)
            limits:
              max_body_bytes: \(options.maxBodyBytes)
            token:
              mode: "\(options.mode)"
              file: "\(directory.path("wx/cloudbase_access_token"))"
              metadata_file: "\(directory.path("wx/cloudbase_access_token.json"))"
            whitelist:
              file: "\(directory.path("whitelist.txt"))"
            shutdown_grace: 5
            \(options.extraYAML)
            """
        let configPath = try directory.write(yaml, to: "wxsidecar.yaml")
        let configuration = try await SidecarConfiguration.load(configPath: configPath, environment: [:])
        let logs = LogCapture()
        let app = try await SidecarApp(configuration: configuration, logger: logs.logger(redacting: [secret]))
        let port = AsyncBox<Int>()
        let group = app.makeServiceGroup(signals: []) { port.set($0) }
        let groupTask = Task { try await group.run() }
        let sidecarPort = try await port.value(timeout: .seconds(20))
        if options.waitForToken {
            try await withTimeout(.seconds(20), "the first token") { await app.tokens.waitForToken() }
            let tokenFile = configuration.token.file
            try await eventually("the first token file") { FileManager.default.fileExists(atPath: tokenFile) }
            // The first refresh is complete once its file is written; wait for the refresher to be idle.
            let refresher = app.refresher
            try await eventually("the first refresh to finish") { await refresher.isIdle }
        }
        let client = try CurlClient(configuration: .init(), logger: Logger(label: "test-client"))
        return SidecarHarness(
            directory: directory, emulator: emulator, emulatorPort: emulatorPort, app: app, sidecarPort: sidecarPort,
            logs: logs, client: client, group: group, tls: tls, tasks: [emulatorTask, groupTask])
    }

    private init(
        directory: TemporaryDirectory, emulator: WeChatEmulator, emulatorPort: Int, app: SidecarApp, sidecarPort: Int,
        logs: LogCapture, client: CurlClient, group: ServiceGroup, tls: TestTLS?, tasks: [Task<Void, any Error>]
    ) {
        self.tls = tls
        self.directory = directory
        self.emulator = emulator
        self.emulatorPort = emulatorPort
        self.app = app
        self.sidecarPort = sidecarPort
        self.logs = logs
        self.client = client
        self.group = group
        self.tasks = tasks
    }

    /// Shuts the sidecar down gracefully, then the emulator.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await tasks[1].result
        tasks[0].cancel()
        _ = await tasks[0].result
        client.shutdown()
        directory.remove()
    }

    /// Stops the emulator only: the upstream becomes unreachable while the sidecar keeps its token.
    func stopEmulator() async {
        tasks[0].cancel()
        _ = await tasks[0].result
    }

    // MARK: Requests

    var baseURL: String { "http://127.0.0.1:\(sidecarPort)" }

    /// A request to the sidecar through libcurl.
    func send(
        _ method: String, _ target: String, body: String? = nil, bytes: [UInt8]? = nil,
        headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(30)
    ) async throws -> UpstreamResponse {
        let payload = bytes.map { ByteBuffer(bytes: $0) } ?? body.map { ByteBuffer(string: $0) }
        return try await client.execute(
            UpstreamRequest(
                method: method, url: baseURL + target, headers: headers, body: payload, timeout: timeout,
                connectTimeout: .seconds(5)))
    }

    var tokenFile: String { directory.path("wx/cloudbase_access_token") }
}

extension UpstreamResponse {
    var text: String { String(buffer: body) }
    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }
    var errcode: Int? { (json["errcode"] as? NSNumber)?.intValue }
}
