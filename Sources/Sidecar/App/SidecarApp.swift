// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import SidecarCore
import UnixSignals

/// The daemon, assembled from a validated configuration: the libcurl client, the token refresher, the
/// whitelist watcher and the HTTP front, run as one `ServiceGroup` in that order (so the token and the
/// whitelist exist before requests arrive, and on shutdown the server drains first).
public struct SidecarApp: Sendable {
    public let configuration: SidecarConfiguration
    public let logger: Logger
    public let metrics: SidecarMetrics
    public let tokens: TokenState
    public let whitelist: WhitelistStore
    public let refresher: TokenRefresher
    public let client: CurlClient
    /// Removes secrets and tokens from everything the sidecar writes out (logs, status, answers).
    public let redactor: Redactor
    let tokenFile: TokenFileWriter
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
        let (tokenFile, warnings) = try await Self.prepareTokenFile(configuration)
        self.tokenFile = tokenFile
        for warning in warnings {
            logger.warning("\(warning)", metadata: ["wxsidecar.token.file": "\(configuration.token.file)"])
        }
        whitelist = WhitelistStore(try await WhitelistWatcher.initialLoad(path: configuration.whitelist.file, logger: logger))
        client = try CurlClient(
            configuration: .init(caFile: configuration.upstream.caFile, maxResponseBytes: 64 << 20), logger: logger)
        tokens = TokenState()
        let endpoint = TokenEndpoint(
            mode: configuration.token.mode, appid: configuration.appid, secret: configuration.secret.value,
            baseURL: configuration.upstream.baseURL, timeout: configuration.upstream.timeout, client: client,
            redactor: self.redactor)
        let probe = TokenProbe(
            baseURL: configuration.upstream.baseURL, timeout: configuration.upstream.timeout, client: client)
        refresher = TokenRefresher(
            endpoint: endpoint, probe: probe, state: tokens, file: tokenFile, policy: configuration.refreshPolicy,
            metrics: metrics, redactor: self.redactor, logger: logger)
    }

    /// What `check-config` verifies beyond the values: the token directory is safe and writable, the whitelist
    /// a valid regular file.
    /// - Returns: warnings about what was accepted but is exposed (a token directory other users can write to).
    @discardableResult
    public static func checkEnvironment(_ configuration: SidecarConfiguration) async throws(ConfigError) -> [String] {
        let (_, warnings) = try await prepareTokenFile(configuration)
        _ = try await WhitelistWatcher.initialLoad(path: configuration.whitelist.file, logger: Logger(label: "check"))
        return warnings
    }

    private static func prepareTokenFile(
        _ configuration: SidecarConfiguration
    ) async throws(ConfigError) -> (TokenFileWriter, warnings: [String]) {
        let writer = TokenFileWriter(
            path: configuration.token.file, mode: configuration.token.fileMode,
            metadataPath: configuration.token.metadataFile, tokenMode: configuration.token.mode)
        do {
            return (writer, try await writer.prepare())
        } catch let problem as TokenFileWriter.DirectoryProblem {
            throw ConfigError(
                key: problem.key, source: configuration.configPath,
                message: problem.refused
                    ? "unsafe token directory: \(problem.message)"
                    : "the token directory is not writable (\(problem.message)); mount a writable volume there or change \(problem.key)")
        } catch {
            throw ConfigError(
                key: "token.file", source: configuration.configPath,
                message: "the token directory could not be checked (\(error)); mount a working volume there or change token.file")
        }
    }

    // MARK: Running

    /// The services in start order: the HTTP server last, except under systemd, where the watchdog comes first
    /// and the notifier after the server (stopped first, so STOPPING=1 goes out as shutdown begins).
    /// - Parameter onListening: called with the bound port once the listener is up.
    public func services(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        let notify = systemd.map {
            SystemdNotifyService(
                environment: $0, tokens: tokens, listen: configuration.listen, tokenFile: configuration.token.file,
                logger: logger)
        }
        let watcher = WhitelistWatcher(
            path: configuration.whitelist.file, store: whitelist, metrics: metrics, logger: logger,
            onSignalReload: { starting in notify?.signalReload(starting: starting) })
        let server = makeServer { port in
            notify?.listenerBound(port: port)
            await onListening(port)
        }
        return (notify?.servicesFirst ?? []) + [refresher, watcher, server] + (notify.map { [$0] } ?? [])
    }

    /// The service group `run` runs: `servicesBefore` (started first, stopped last), then the daemon's
    /// services. Tests trigger its graceful shutdown instead of sending signals.
    /// - Parameter servicesAfter: started last and told of graceful shutdown first.
    public func makeServiceGroup(
        servicesBefore: [any Service] = [], signals: [UnixSignal] = [.sigterm, .sigint],
        servicesAfter: [any Service] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        var groupConfiguration = ServiceGroupConfiguration(
            services: (servicesBefore + services(onListening: onListening) + servicesAfter).map {
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
        servicesBefore: [any Service] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> Int32 {
        let deadline = ShutdownDeadline(grace: configuration.shutdownGrace, logger: logger)
        let group = makeServiceGroup(servicesBefore: servicesBefore, servicesAfter: [deadline], onListening: onListening)
        defer { client.shutdown() }
        try await group.run()
        logger.info("wxsidecar stopped")
        return 0
    }

    /// `run --once`: one token fetch and file write. 0 on success, 78 for a configuration error reported by
    /// WeChat (wrong secret, IP not whitelisted), 69 (`EX_UNAVAILABLE`) when WeChat could not be reached.
    public func runOnce() async -> Int32 {
        defer { client.shutdown() }
        var lastError: TokenFetchError?
        attempts: for attempt in 1...3 {
            switch await refresher.refresh() {
            case .success(let token):
                guard (try? await tokenFile.needsRewrite(for: token)) == false else {
                    logger.error("fetched an access_token but could not write \(configuration.token.file)")
                    return 73
                }
                logger.info("wrote the access_token", metadata: ["wxsidecar.token.fingerprint": "\(token.fingerprint)"])
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
