// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import Synchronization

/// Tells systemd (`Type=notify`) where the daemon stands:
/// - `READY=1` once the HTTP listener is bound **and** a token is held and written to `token.file` (whichever
///   comes last), so a unit ordered `After=wxsidecar.service` finds the file;
/// - `RELOADING=1` … `READY=1` around a SIGHUP reload of the whitelist (only once ready, never after stopping);
/// - `STOPPING=1` as graceful shutdown begins: it is the last service of the group, so it is told first.
///
/// ``servicesFirst`` holds a ``WatchdogService`` when `WatchdogSec=` is set; it goes first in the group.
public final class SystemdNotifyService: Service, Sendable {
    /// Where the daemon stands, as last told to systemd.
    enum Phase: Sendable, Equatable {
        case starting
        /// With the `STATUS=` line sent with `READY=1`, repeated after a reload.
        case ready(status: String)
        case stopping
    }

    /// Inputs that decide readiness.
    enum Event: Sendable {
        case listening(port: Int)
        case tokenHeld
    }

    let notifier: SystemdNotifier
    /// Every account's token: READY=1 waits until each is published (held, its file written).
    let tokens: [TokenState]
    let listen: ListenAddress
    let logger: Logger
    /// The watchdog pinger, when `$WATCHDOG_USEC` asked for one.
    public let watchdog: WatchdogService?
    private let phase = Mutex(Phase.starting)
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    /// For the daemon: READY=1 once every account's token is published.
    public convenience init(
        environment: SystemdEnvironment, accounts: AccountDirectory, listen: ListenAddress, logger: Logger
    ) {
        self.init(environment: environment, tokens: accounts.all.map(\.tokens), listen: listen, logger: logger)
    }

    /// - Parameter tokens: the tokens READY=1 waits for. ``TokenState/waitForToken()`` returns once the refresher
    ///   published a token, which it does after writing the token file: READY=1 promises apps the file.
    public init(
        environment: SystemdEnvironment, tokens: [TokenState], listen: ListenAddress, logger: Logger
    ) {
        notifier = environment.notifier
        self.tokens = tokens
        self.listen = listen
        self.logger = logger
        watchdog = environment.watchdogInterval.map {
            WatchdogService(notifier: environment.notifier, interval: $0, logger: logger)
        }
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    // MARK: Inputs

    /// Called by the HTTP server once its listener is bound.
    public func listenerBound(port: Int) {
        eventSink.yield(.listening(port: port))
    }

    /// `WhitelistWatcher`'s `onSignalReload`: `RELOADING=1` before a SIGHUP reload, `READY=1` after it.
    public func signalReload(starting: Bool) {
        phase.withLock { phase in
            guard case .ready(let status) = phase else { return }
            send(starting ? SystemdNotifier.reloading(status: "reloading the whitelist") : SystemdNotifier.ready(status: status))
        }
    }

    // MARK: Service

    public func run() async {
        send(SystemdNotifier.status("waiting for the listener and the first access_token"))
        let tokens = self.tokens
        let sink = eventSink
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for state in tokens { await state.waitForToken() }
                if !Task.isCancelled { sink.yield(.tokenHeld) }
            }
            var port: Int?
            var tokenHeld = false
            for await event in events.cancelOnGracefulShutdown() {
                switch event {
                case .listening(let bound): port = bound
                case .tokenHeld: tokenHeld = true
                }
                if let port, tokenHeld {
                    becomeReady(port: port)
                    break
                }
            }
            group.cancelAll()
        }
        try? await gracefulShutdown()
        phase.withLock { phase in
            phase = .stopping
            send(SystemdNotifier.stopping(status: "stopping: draining requests in flight"))
        }
    }

    private func becomeReady(port: Int) {
        phase.withLock { phase in
            guard phase == .starting else { return }
            var bound = listen
            if bound.unixSocketPath == nil { bound.port = port }
            let address = bound.description
            let status = "serving on \(address) with a valid access_token"
            phase = .ready(status: status)
            send(SystemdNotifier.ready(status: status))
        }
        logger.info("told systemd READY=1", metadata: ["wxsidecar.systemd.socket": "\(notifier.address)"])
    }

    private func send(_ message: String) {
        do {
            try notifier.send(message)
        } catch {
            logger.warning(
                "cannot notify systemd: \(error)",
                metadata: [
                    "wxsidecar.systemd.socket": "\(notifier.address)",
                    "wxsidecar.systemd.message": "\(message.prefix { $0 != "\n" })",
                ])
        }
    }

    // MARK: Assembly

    /// Services to start before everything else (the watchdog, stopped last).
    public var servicesFirst: [any Service] { watchdog.map { [$0] } ?? [] }
}
