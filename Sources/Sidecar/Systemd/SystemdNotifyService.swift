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
    /// Every account's token and file: READY=1 waits for all of them.
    let tokens: [(state: TokenState, file: String?)]
    let listen: ListenAddress
    let logger: Logger
    /// The watchdog pinger, when `$WATCHDOG_USEC` asked for one.
    public let watchdog: WatchdogService?
    private let phase = Mutex(Phase.starting)
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    /// For the daemon: READY=1 once every account holds a token and its `token.file` is written (each waited
    /// for up to 5 s).
    public convenience init(
        environment: SystemdEnvironment, accounts: AccountDirectory, listen: ListenAddress, logger: Logger
    ) {
        self.init(
            environment: environment, tokens: accounts.all.map { ($0.tokens, $0.configuration.token.file) },
            listen: listen, logger: logger)
    }

    /// - Parameter tokens: each token with its `token.file` (`nil`: READY=1 does not wait for a file).
    public init(
        environment: SystemdEnvironment, tokens: [(state: TokenState, file: String?)], listen: ListenAddress, logger: Logger
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
                for (state, _) in tokens { await state.waitForToken() }
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
                    await waitForTokenFile()
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

    /// The refresher adopts a token a moment before it writes the file; READY=1 promises apps the file. Gives
    /// up after 5 s (an unwritable file is logged by the refresher, and the proxy works without it).
    private func waitForTokenFile() async {
        for case (_, let file?) in tokens { await waitForTokenFile(file) }
    }

    private func waitForTokenFile(_ tokenFile: String) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline && !Task.isCancelled {
            let size = (try? await BlockingIO.run { FileChecks.identity(tokenFile)?.size }) ?? nil
            if let size, size > 0 { return }
            try? await Task.sleep(for: .milliseconds(10))
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
