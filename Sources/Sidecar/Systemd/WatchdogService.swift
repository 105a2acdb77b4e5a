// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle

/// Pings systemd's watchdog (`WATCHDOG=1`) every ``interval`` (half of `WatchdogSec=`), from start until the
/// end of shutdown: it is the first service of the group, so it is stopped last. A ping that stops arriving
/// means the concurrency runtime no longer schedules timers, and systemd restarts the daemon.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration
    let logger: Logger

    public init(notifier: SystemdNotifier, interval: Duration, logger: Logger) {
        self.notifier = notifier
        self.interval = interval
        self.logger = logger
    }

    public func run() async {
        var reportedFailure = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try notifier.send(SystemdNotifier.watchdog)
                reportedFailure = false
            } catch {
                if !reportedFailure {
                    logger.warning("cannot ping the systemd watchdog: \(error)", metadata: ["wxsidecar.systemd.socket": "\(notifier.address)"])
                }
                reportedFailure = true
            }
            do {
                let interval = self.interval
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
