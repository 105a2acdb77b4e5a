// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import Synchronization

/// Tells systemd (`Type=notify`) where the daemon stands:
/// - `READY=1` once the HTTP listener is bound **and** a token is held (whichever comes last);
/// - `RELOADING=1` … `READY=1` around a SIGHUP reload of the whitelist (only once ready, never after stopping);
/// - `STOPPING=1` as graceful shutdown begins: it is the last service of the group, so it is told first.
///
/// ``services`` also holds a ``WatchdogService`` when `WatchdogSec=` is set; it goes first in the group.
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
    let tokens: TokenState
    let host: String
    let logger: Logger
    /// The watchdog pinger, when `$WATCHDOG_USEC` asked for one.
    public let watchdog: WatchdogService?
    private let phase = Mutex(Phase.starting)
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    public init(environment: SystemdEnvironment, tokens: TokenState, host: String, logger: Logger) {
        notifier = environment.notifier
        self.tokens = tokens
        self.host = host
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
        // waitForToken() ignores cancellation; a token that never comes leaves this small task waiting.
        let tokenWait = Task {
            await tokens.waitForToken()
            sink.yield(.tokenHeld)
        }
        defer { tokenWait.cancel() }
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
        try? await gracefulShutdown()
        phase.withLock { phase in
            phase = .stopping
            send(SystemdNotifier.stopping(status: "stopping: draining requests in flight"))
        }
    }

    private func becomeReady(port: Int) {
        phase.withLock { phase in
            guard phase == .starting else { return }
            let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
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
                metadata: ["wxsidecar.systemd.socket": "\(notifier.address)", "wxsidecar.systemd.message": "\(message.prefix { $0 != "\n" })"])
        }
    }

    // MARK: Assembly

    /// Services to start before everything else (the watchdog, stopped last).
    public var servicesFirst: [any Service] { watchdog.map { [$0] } ?? [] }
}
