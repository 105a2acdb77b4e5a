// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import SidecarCore

#if canImport(Glibc)
import Glibc
#endif

extension SidecarApp {
    // MARK: HTTP server

    /// The HTTP front: the responder behind our HTTP/1.1 channel, bound to `listen` (TCP or a unix socket).
    func makeServer(ledger: RequestLedger, onListening: @escaping @Sendable (Int) async -> Void) -> any Service {
        let forwarder = ProxyForwarder(
            settings: .init(
                timeout: configuration.upstream.timeout, maxBodyBytes: configuration.limits.maxBodyBytes,
                callerKeyHeader: configuration.callers.requiresKey ? configuration.callers.keyHeader : nil),
            routes: routes, accounts: accounts, metrics: metrics, redactor: redactor)
        let status = StatusReporter(accounts: accounts, routes: routes, redactor: redactor, startedAt: WallClock.now())
        let cap = ConnectionCap(configured: configuration.limits.maxConnections)
        if cap.limit < configuration.limits.maxConnections {
            logger.warning(
                "limits.max_connections lowered to what the descriptor limit allows; raise LimitNOFILE (ulimit -n) for more",
                metadata: [
                    "wxsidecar.limits.max_connections": "\(cap.limit)",
                    "wxsidecar.limits.descriptors": "\(ConnectionCap.softDescriptorLimit())",
                ])
        }
        let admin = AdminEndpoints(accounts: accounts, metrics: metrics, status: status)
        let channel = SidecarHTTP1Channel(
            services: .init(
                routes: .api(forwarder: forwarder, admin: admin), ledger: ledger,
                budget: BodyBudget(maxBodyBytes: configuration.limits.maxBodyBytes), cap: cap,
                limits: connectionLimits),
            decoderLimits: decoderLimits)
        return bind(channel, to: configuration.listen, name: "listen", onListening: onListening)
    }

    /// The inbound listener (`inbound.listen`): only the accounts' push paths, behind the same connection handling
    /// as the caller listener (limits, timeouts, access log) but with a ledger and a connection cap of its own, and
    /// no caller gate (WeChat cannot send a caller key; every push is checked by its signature instead).
    func makeInboundServer(
        _ inbound: SidecarConfiguration.Inbound, ledger: RequestLedger,
        onListening: @escaping @Sendable (Int) async -> Void
    ) -> any Service {
        let channel = SidecarHTTP1Channel(
            services: .init(
                routes: .inbound(InboundEndpoints(pushAccounts)), ledger: ledger,
                budget: BodyBudget(maxBodyBytes: inbound.maxBodyBytes),
                cap: ConnectionCap(configured: min(Self.inboundConnections, configuration.limits.maxConnections)),
                limits: connectionLimits),
            decoderLimits: decoderLimits)
        return bind(channel, to: inbound.listen, name: "inbound.listen", onListening: onListening)
    }

    /// A listener's ledger: its caller gate and `limits.max_concurrent_requests`.
    func makeLedger(gate: CallerGate) -> RequestLedger {
        RequestLedger(
            gate: gate,
            maxConcurrentRequests: configuration.limits.maxConcurrentRequests, metrics: metrics, logger: logger)
    }

    /// Connections the inbound listener holds at once: WeChat's pushes come a few at a time.
    static let inboundConnections = 256

    private var connectionLimits: ConnectionStateMachine.Limits {
        .init(
            idleTimeout: Int64(configuration.limits.idleTimeout * 1e9),
            headerTimeout: Int64(configuration.limits.headerTimeout * 1e9))
    }

    private var decoderLimits: NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = configuration.limits.maxHeaderBytes
        limits.maxHeaderFieldSize = min(16 * 1024, configuration.limits.maxHeaderBytes)
        return limits
    }

    /// `channel` served on `listen` (TCP, or a unix socket placed with `listen_socket_mode`), logged once bound.
    private func bind(
        _ channel: SidecarHTTP1Channel, to listen: ListenAddress, name: String,
        onListening: @escaping @Sendable (Int) async -> Void
    ) -> any Service {
        let socketMode = configuration.callers.socketMode
        let logger = self.logger
        let server = { @Sendable (address: HTTPListener.Address, placed: @escaping @Sendable (any Channel) async -> Bool) -> any Service in
            HTTPListener(
                address: address, connections: channel, group: MultiThreadedEventLoopGroup.singleton,
                onListening: { channel in
                    guard await placed(channel) else { return }
                    let port = channel.localAddress?.port ?? 0
                    let shown = listen.unixSocketPath.map { "unix:\($0)" } ?? "\(listen.host):\(port)"
                    logger.info("listening", metadata: ["wxsidecar.\(name)": "\(shown)"])
                    await onListening(port)
                })
        }
        guard let path = listen.unixSocketPath else {
            return server(.host(listen.host, port: listen.port)) { _ in true }
        }
        // Bound in a private directory and renamed into place with its mode: never reachable with a wider one.
        return UnixSocketListener(path: path, mode: socketMode, logger: logger) { bindPath, placed in
            server(.unixSocket(path: bindPath), placed)
        }
    }
}
