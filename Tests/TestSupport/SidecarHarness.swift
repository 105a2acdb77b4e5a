// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import CurlClient
import Foundation
import Logging
import NIOCore
public import ServiceLifecycle
public import Sidecar
public import WeChatEmulator

/// One emulator (HTTPS with the process's throwaway CA, or plain HTTP) and one sidecar in this process, on free ports,
/// with a temporary token directory, whitelist and config file. Requests go through real sockets and real
/// libcurl; logs go through the daemon's real handler into ``logs``.
public final class SidecarHarness: Sendable {
    public let directory: TemporaryDirectory
    public let emulator: WeChatEmulator
    public let emulatorPort: Int
    public let app: SidecarApp
    public let sidecarPort: Int
    /// The inbound listener's port, when ``Options/inbound`` is set.
    public let inboundPort: Int?
    public let logs: LogCapture
    public let client: CurlClient
    public let group: ServiceGroup
    /// The process's shared TLS material (``TestTLS/shared()``) when the emulator speaks HTTPS.
    public let tls: TestTLS?
    private let tasks: [Task<Void, any Error>]

    public static let secret = "emulator-secret"

    /// Options a test may change before start.
    public struct Options: Sendable {
        public var tls = true
        public var mode = "stable"
        public var whitelist = "/wxa/msg_sec_check\n/wxa/getwxacode\n/tcb/invokecloudfunction\n/echo/*\n"
        public var extraYAML = ""
        public var emulatorFaults: [EmulatorFault] = []
        public var tokenLifetime = 7200
        public var waitForToken = true
        public var upstreamOverride: String?
        /// The host name in the emulator's URL (`localhost`; the shared certificate also names `upstream.invalid`,
        /// which only a ``ConnectProxy`` resolves).
        public var upstreamHost = "localhost"
        /// The upstream URLs given the emulator's: `upstream.base_url` first, then `upstream.fallback_urls`;
        /// `nil` for the emulator alone (or ``upstreamOverride``).
        public var upstreamURLs: (@Sendable (_ emulatorURL: String) -> [String])?
        /// More lines under `upstream:`, each indented two spaces (`"  proxy: http://127.0.0.1:3128"`).
        public var upstreamLines: [String] = []
        public var trustCA = true
        /// Far above what any answer takes, even on a loaded machine; tests of the timeout set their own.
        public var upstreamTimeout = 15.0
        public var maxBodyBytes = 10_485_760
        /// More `limits:` lines, each indented two spaces.
        public var extraLimits = ""
        /// `shutdown_grace`, seconds.
        public var shutdownGrace = 5
        /// `listen`: TCP on a free port unless a test wants a unix socket.
        public var listen = "127.0.0.1:0"
        /// More accounts (the emulator serves them too, each with the secret `secret-of-<name>`); with any, the
        /// configuration takes the `accounts:` form and the first account is named `main`.
        public var otherAccounts: [OtherAccount] = []
        /// Lines in the first account's section (four spaces) when there are other accounts.
        public var firstAccountExtra: [String] = []
        /// When false, the emulator does not know the other accounts (their token fetches get 40013).
        public var emulatorServesOtherAccounts = true
        /// Turns the inbound listener on (`inbound.listen` on a free port, `inbound:` lines four spaces in, e.g.
        /// `"  replay_window: 60"`); the accounts' `message:` sections come from ``extraYAML`` or the accounts' extras.
        public var inbound: [String]? = nil
        /// Accounts whose calls the emulator takes signed and encrypted.
        public var emulatorApiSecurity: [EmulatorApiSecurity] = []
        /// The environment the configuration is read with (secrets such as `WXSIDECAR_MESSAGE_TOKEN`).
        public var environment: [String: String] = [:]

        /// An account beside the default one.
        public struct OtherAccount: Sendable {
            public var name: String
            public var appid: String
            /// Lines in its section, four spaces in (`"    kind: officialaccount"`).
            public var extra: [String]
            public init(name: String, appid: String, extra: [String] = []) {
                self.name = name
                self.appid = appid
                self.extra = extra
            }
            public var secret: String { "secret-of-\(name)" }
        }

        public init() {}
    }

    /// Starts everything; returns once the sidecar listens (and, by default, holds a token). When it throws,
    /// whatever it had started (emulator, services) is stopped and awaited first.
    public static func start(_ options: Options = Options()) async throws -> SidecarHarness {
        let directory = try TemporaryDirectory()
        let tls = options.tls ? try TestTLS.shared() : nil
        var emulatorConfiguration = EmulatorConfiguration(
            tls: tls.map { .init(certificatePath: $0.certificatePath, privateKeyPath: $0.privateKeyPath) },
            secret: secret,
            otherAccounts: options.emulatorServesOtherAccounts
                ? options.otherAccounts.map { EmulatorAccount(appid: $0.appid, secret: $0.secret) } : [],
            tokenLifetime: options.tokenLifetime)
        emulatorConfiguration.apiSecurity = options.emulatorApiSecurity
        let emulator = WeChatEmulator(
            configuration: emulatorConfiguration, logger: Logger(label: "emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        for fault in options.emulatorFaults { emulator.knobs.addFault(fault) }
        let emulatorTask = Task { try await emulator.run() }
        do {
            return try await startSidecar(
                options, directory: directory, tls: tls, emulator: emulator, emulatorTask: emulatorTask)
        } catch {
            emulatorTask.cancel()
            _ = await emulatorTask.result
            directory.remove()
            throw error
        }
    }

    /// The sidecar half of ``start(_:)``: its files, its services, and the waits for its port and first token.
    private static func startSidecar(
        _ options: Options, directory: TemporaryDirectory, tls: TestTLS?, emulator: WeChatEmulator,
        emulatorTask: Task<Void, any Error>
    ) async throws -> SidecarHarness {
        let emulatorPort = try await emulator.waitUntilListening()
        let scheme = options.tls ? "https" : "http"
        try directory.write(secret + "\n", to: "appsecret")
        try directory.write(options.whitelist, to: "whitelist.txt")
        let emulatorURL = "\(scheme)://\(options.upstreamHost):\(emulatorPort)"
        let urls = options.upstreamURLs?(emulatorURL) ?? [options.upstreamOverride ?? emulatorURL]
        var yaml = SidecarYAML(upstream: urls[0], in: directory)
        yaml.fallbackURLs = Array(urls.dropFirst())
        yaml.upstreamLines = options.upstreamLines
        yaml.listen = options.listen
        yaml.caFile = options.trustCA ? tls?.caPath ?? "" : ""
        yaml.upstreamTimeout = options.upstreamTimeout
        yaml.shutdownGrace = options.shutdownGrace
        yaml.limits = ["  max_body_bytes: \(options.maxBodyBytes)", options.extraLimits].filter { !$0.isEmpty }
        yaml.tokenMode = options.mode
        yaml.tokenMetadataFile = directory.path("wx/cloudbase_access_token.json")
        yaml.extra = options.extraYAML
        if let inbound = options.inbound {
            yaml.extra += "\ninbound:\n  listen: 127.0.0.1:0\n" + inbound.map { $0 + "\n" }.joined()
        }
        yaml.firstAccountExtra = options.firstAccountExtra
        for account in options.otherAccounts {
            let secretFile = try directory.write(account.secret + "\n", to: "\(account.name).secret")
            yaml.otherAccounts.append(SidecarYAML.Account(
                name: account.name, appid: account.appid, secretFile: secretFile,
                tokenFile: directory.path("wx/\(account.appid)/cloudbase_access_token"), extra: account.extra))
        }
        let configuration = try await SidecarConfiguration.load(
            configPath: try yaml.write(in: directory), environment: options.environment)
        let logs = LogCapture()
        let app = try await SidecarApp(configuration: configuration, logger: logs.logger(redacting: [secret]))
        let port = AsyncBox<Int>()
        let inboundPort = AsyncBox<Int>()
        let group = app.makeServiceGroup(
            signals: [], onListening: { port.set($0) }, onInboundListening: { inboundPort.set($0) })
        let groupTask = Task { try await group.run() }
        do {
            let sidecarPort = try await port.value(timeout: .seconds(20))
            let boundInbound = options.inbound == nil ? nil : try await inboundPort.value(timeout: .seconds(20))
            if options.waitForToken {
                for account in app.accounts.all where options.emulatorServesOtherAccounts || account.name == "main" || options.otherAccounts.isEmpty {
                    try await withTimeout(.seconds(20), "the first token of \(account.name)") { await account.tokens.waitForToken() }
                }
                let tokenFile = configuration.token.file
                try await eventually("the first token file") { FileManager.default.fileExists(atPath: tokenFile) }
                // The first refresh is complete once its file is written; wait for the refresher to be idle.
                let refresher = app.refresher
                try await eventually("the first refresh to finish") { await refresher.isIdle }
            }
            let client = try CurlClient(configuration: .init(), logger: Logger(label: "test-client"))
            return SidecarHarness(
                directory: directory, emulator: emulator, emulatorPort: emulatorPort, app: app, sidecarPort: sidecarPort,
                inboundPort: boundInbound, logs: logs, client: client, group: group, tls: tls,
                tasks: [emulatorTask, groupTask])
        } catch {
            await group.triggerGracefulShutdown()
            _ = await groupTask.result
            throw error
        }
    }

    private init(
        directory: TemporaryDirectory, emulator: WeChatEmulator, emulatorPort: Int, app: SidecarApp, sidecarPort: Int,
        inboundPort: Int?, logs: LogCapture, client: CurlClient, group: ServiceGroup, tls: TestTLS?,
        tasks: [Task<Void, any Error>]
    ) {
        self.inboundPort = inboundPort
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

    /// Shuts the sidecar down gracefully, then the emulator (unless it is shared: ``start(_:sharing:)``).
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await tasks[1].result
        // The sidecar's upstream connections close first: an emulator would wait for them before it stops.
        app.client.shutdown()
        tasks[0].cancel()
        _ = await tasks[0].result
        client.shutdown()
        directory.remove()
    }

    /// A sidecar against an emulator that runs already and that the caller stops (a fleet of sidecars on one
    /// appid); `options.tls` must say whether it speaks HTTPS.
    public static func start(_ options: Options, sharing emulator: WeChatEmulator) async throws -> SidecarHarness {
        let directory = try TemporaryDirectory()
        let tls = options.tls ? try TestTLS.shared() : nil
        let placeholder = Task<Void, any Error> {}
        do {
            return try await startSidecar(options, directory: directory, tls: tls, emulator: emulator, emulatorTask: placeholder)
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Stops the emulator only: the upstream becomes unreachable while the sidecar keeps its token.
    public func stopEmulator() async {
        tasks[0].cancel()
        _ = await tasks[0].result
    }

    // MARK: Requests

    public var baseURL: String { "http://127.0.0.1:\(sidecarPort)" }

    /// A request to the sidecar through libcurl.
    public func send(
        _ method: String, _ target: String, body: String? = nil, bytes: [UInt8]? = nil,
        headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(30)
    ) async throws -> UpstreamResponse {
        let payload = bytes.map { ByteBuffer(bytes: $0) } ?? body.map { ByteBuffer(string: $0) }
        return try await client.execute(
            UpstreamRequest(
                method: method, url: baseURL + target, headers: headers, body: payload, timeout: timeout,
                connectTimeout: .seconds(5)))
    }

    public var tokenFile: String { directory.path("wx/cloudbase_access_token") }
}

extension UpstreamResponse {
    /// The body as UTF-8 text.
    public var text: String { String(buffer: body) }
    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    /// The body as a JSON object.
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }
    public var errcode: Int? { (json["errcode"] as? NSNumber)?.intValue }
}
