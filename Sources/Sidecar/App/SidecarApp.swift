// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import SidecarCore
import UnixSignals
import WeChatPush

/// The daemon, assembled from a validated configuration: the libcurl client, the token refresher, the
/// whitelist watcher and the HTTP front, run as one `ServiceGroup` in that order (so the token and the
/// whitelist exist before requests arrive, and on shutdown the server drains first).
public struct SidecarApp: Sendable {
    public let configuration: SidecarConfiguration
    public let logger: Logger
    public let metrics: SidecarMetrics
    /// Every account served, the default first.
    public let accounts: AccountDirectory
    public let client: CurlClient
    /// The way to WeChat (base URLs, fallback, proxy): every upstream call goes through it.
    let routes: UpstreamRoutes
    /// The push paths of the accounts with `message.*` (empty unless `inbound.listen` is set).
    let pushAccounts: [PushAccount]
    /// Removes secrets and tokens from everything the sidecar writes out (logs, status, answers).
    public let redactor: Redactor
    /// The default account's token.
    public var tokens: TokenState { accounts.defaultAccount.tokens }
    /// The default account's whitelist.
    public var whitelist: WhitelistStore { accounts.defaultAccount.whitelist }
    /// The default account's token refresher.
    public var refresher: TokenRefresher { accounts.defaultAccount.refresher }
    /// systemd's `$NOTIFY_SOCKET` and `$WATCHDOG_USEC`, read at init; `nil` when not run by systemd (tests set their own).
    public var systemd: SystemdEnvironment? = SystemdEnvironment.fromProcessEnvironment()

    /// Builds the daemon: prepares the token directory and loads the whitelist.
    /// - Throws: ``ConfigError`` (token directory unsafe or not writable, whitelist missing, not a regular file or
    ///   invalid), or a libcurl setup error.
    public init(
        configuration: SidecarConfiguration, logger: Logger, metrics: SidecarMetrics = SidecarMetrics(),
        redactor: Redactor? = nil
    ) async throws {
        self.configuration = configuration
        self.redactor = redactor ?? Redactor(configuration)
        self.logger = logger
        self.metrics = metrics
        client = try CurlClient(
            configuration: .init(caFile: configuration.upstream.caFile, maxResponseBytes: 64 << 20), logger: logger)
        routes = UpstreamRoutes(configuration.upstream, client: client, metrics: metrics, logger: logger)
        do {
            accounts = try await AccountAssembly.build(
                configuration, routes: routes, metrics: metrics, redactor: self.redactor, logger: logger)
            pushAccounts = try Self.buildPushAccounts(configuration, client: client, metrics: metrics, logger: logger)
        } catch {
            client.shutdown()
            throw error
        }
    }

    /// What `check-config` verifies beyond the values: the token directory is safe and writable, the whitelist
    /// a valid regular file.
    /// - Returns: warnings about what was accepted but is exposed (a token directory other users can write to).
    @discardableResult
    public static func checkEnvironment(_ configuration: SidecarConfiguration) async throws(ConfigError) -> [String] {
        var warnings: [String] = []
        var files: Set<String> = []
        for account in configuration.accounts {
            warnings += try await AccountAssembly.prepareTokenFile(account, configPath: configuration.configPath).warnings
            if files.insert(account.whitelist.file).inserted {
                _ = try await WhitelistWatcher.initialLoad(path: account.whitelist.file, logger: Logger(label: "check"))
            }
        }
        return warnings
    }

    /// One ``PushAccount`` per account with `message.*`, when the inbound listener is on.
    private static func buildPushAccounts(
        _ configuration: SidecarConfiguration, client: CurlClient, metrics: SidecarMetrics, logger: Logger
    ) throws -> [PushAccount] {
        guard let inbound = configuration.inbound else { return [] }
        return try configuration.accounts.compactMap { account throws(ConfigError) -> PushAccount? in
            guard let message = account.message else { return nil }
            do throws(PushRefusal) {
                return try PushAccount(
                    account: account, message: message, inbound: inbound, client: client, registry: metrics.registry,
                    logger: logger)
            } catch {
                throw ConfigError(key: account.keyPrefix + "message.encoding_aes_key_file",
                    source: message.encodingAESKey?.origin ?? "default", message: error.message)
            }
        }
    }

    // MARK: Running

    /// The services in start order: the heap releaser (it depends on nothing), the token refreshers, ticket
    /// keepers and whitelist watchers, then the listeners, the caller's last; under systemd the watchdog comes
    /// first and the notifier after the server (stopped first, so STOPPING=1 goes out as shutdown begins).
    /// - Parameter onListening: called with the bound port once the listener is up.
    /// - Parameter onInboundListening: called with the inbound listener's port once it is up.
    public func services(
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onInboundListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> [any Service] {
        let notify = systemd.map {
            SystemdNotifyService(
                environment: $0, accounts: accounts, listen: configuration.listen, logger: logger)
        }
        // One watcher per whitelist file; the first one signals systemd's reload state.
        var watchers: [any Service] = []
        var watched: Set<ObjectIdentifier> = []
        for account in accounts.all where watched.insert(ObjectIdentifier(account.whitelist)).inserted {
            let first = watchers.isEmpty
            watchers.append(WhitelistWatcher(
                path: account.configuration.whitelist.file, store: account.whitelist, metrics: metrics, logger: logger,
                onSignalReload: { starting in if first { notify?.signalReload(starting: starting) } }))
        }
        let ledger = makeLedger(gate: CallerGate(configuration.callers))
        let server = makeServer(ledger: ledger) { port in
            notify?.listenerBound(port: port)
            await onListening(port)
        }
        let refreshers: [any Service] = accounts.all.map(\.refresher)
        let keepers: [any Service] = accounts.all.compactMap(\.ticketKeeper)
        // Pushes need no token: the inbound listener starts beside the caller listener.
        let inbound = configuration.inbound.map { settings in
            let ledger = makeLedger(gate: CallerGate(SidecarConfiguration.Callers()))
            return (ledger: ledger, server: makeInboundServer(settings, ledger: ledger, onListening: onInboundListening))
        }
        let inboundLedger = inbound?.ledger
        let heap = HeapReleaser(
            requestsInFlight: { ledger.requestsInFlight + (inboundLedger?.requestsInFlight ?? 0) },
            metrics: metrics, logger: logger)
        return (notify?.servicesFirst ?? []) + [heap] + refreshers + keepers + watchers
            + (inbound.map { [$0.server] } ?? []) + [server]
            + (notify.map { [$0] } ?? [])
    }

    /// The service group `run` runs: `servicesBefore` (started first, stopped last), then the daemon's
    /// services. Tests trigger its graceful shutdown instead of sending signals.
    /// - Parameter servicesAfter: started last and told of graceful shutdown first.
    public func makeServiceGroup(
        servicesBefore: [any Service] = [], signals: [UnixSignal] = [.sigterm, .sigint],
        servicesAfter: [any Service] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onInboundListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        let daemon = services(onListening: onListening, onInboundListening: onInboundListening)
        var groupConfiguration = ServiceGroupConfiguration(
            services: (servicesBefore + daemon + servicesAfter).map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: signals,
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownGrace * 1000))
        return ServiceGroup(configuration: groupConfiguration)
    }

    /// Runs until SIGTERM/SIGINT; requests in flight get `shutdown_grace` seconds to finish. Returns the exit status.
    /// `shutdown_grace` is enforced: a process still running 2 s after it logs one line and exits with status 70
    /// (``ShutdownDeadline``), whatever is stuck.
    /// - Parameter servicesBefore: services to start first and stop last (`wxsidecar dev` runs the emulator there).
    public func run(
        servicesBefore: [any Service] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onInboundListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> Int32 {
        let deadline = ShutdownDeadline(grace: configuration.shutdownGrace, logger: logger)
        let group = makeServiceGroup(
            servicesBefore: servicesBefore, servicesAfter: [deadline], onListening: onListening,
            onInboundListening: onInboundListening)
        defer { client.shutdown() }
        try await group.run()
        logger.info("wxsidecar stopped")
        return 0
    }

    /// `run --once`: one token fetch and file write. 0 on success, 78 for a configuration error reported by
    /// WeChat (wrong secret, IP not whitelisted), 69 (`EX_UNAVAILABLE`) when WeChat could not be reached.
    public func runOnce() async -> Int32 {
        defer { client.shutdown() }
        var worst: Int32 = 0
        for account in accounts.all {
            let status = await Self.fetchOnce(account, logger: logger)
            if status != 0 && (worst == 0 || status == ConfigError.exitStatus) { worst = status }
        }
        return worst
    }

    /// One account's `run --once`.
    private static func fetchOnce(_ account: ServedAccount, logger: Logger) async -> Int32 {
        var lastError: TokenFetchError?
        attempts: for attempt in 1...3 {
            switch await account.refresher.refresh() {
            case .success(let token):
                guard (try? await account.tokenFile.needsRewrite(for: token)) == false else {
                    logger.error("fetched an access_token but could not write \(account.configuration.token.file)")
                    return 73
                }
                logger.info("wrote the access_token", metadata: [
                    "wxsidecar.appid": "\(account.appid)", "wxsidecar.token.fingerprint": "\(token.fingerprint)",
                ])
                return 0
            case .failure(let error):
                lastError = error
                if error.pace == .slow || attempt == 3 { break attempts }
                try? await Task.sleep(for: .seconds(attempt))
            }
        }
        return lastError?.isConfigurationError == true ? ConfigError.exitStatus : 69
    }
}
