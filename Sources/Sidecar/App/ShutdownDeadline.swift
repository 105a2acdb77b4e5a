// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Enforces `shutdown_grace` in the real daemon: once graceful shutdown begins, a thread of its own waits the
/// grace plus ``margin``, then logs one line and ends the process with `_exit` — whatever is still stuck (a file
/// system that stopped answering, a service that ignores cancellation) cannot keep a stopped daemon alive.
///
/// Runs last in the service group, so it is the first told of graceful shutdown. Only ``SidecarApp/run(servicesBefore:onListening:)``
/// adds it; the in-process test harness never does.
struct ShutdownDeadline: Service {
    /// Beyond `shutdown_grace`: the service group cancels what is left at the grace, and this leaves it time to
    /// return by itself.
    static let margin = 2.0
    /// The exit status after a forced exit (`EX_SOFTWARE`): the shutdown did not complete.
    static let exitStatus: Int32 = 70

    var grace: Double
    var logger: Logger
    /// `_exit` in the daemon; tests pass a recorder.
    var exit: @Sendable (Int32) -> Void = { Glibc._exit($0) }

    func run() async throws {
        // Returns when graceful shutdown begins; throws when the group is cancelled, which is a shutdown too.
        try? await gracefulShutdown()
        arm()
    }

    /// Starts the thread that ends the process after grace + margin (it dies with the process when shutdown
    /// completes first).
    func arm() {
        let seconds = grace + Self.margin
        let logger = self.logger
        let exit = self.exit
        let grace = self.grace
        let thread = Thread {
            ThreadName.set("shutdown-timer")
            Thread.sleep(forTimeInterval: seconds)
            logger.critical(
                "\(Self.message(grace: grace))")
            exit(Self.exitStatus)
        }
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// The one line logged before the forced exit.
    static func message(grace: Double) -> String {
        "shutdown did not complete within shutdown_grace (\(format(grace)) s) plus \(format(margin)) s;"
            + " exiting now with status \(exitStatus)"
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
