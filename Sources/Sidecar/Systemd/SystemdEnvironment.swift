// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What systemd told the daemon through its environment: where to send notifications (`$NOTIFY_SOCKET`) and
/// how often to ping the watchdog (`$WATCHDOG_USEC`, for `$WATCHDOG_PID` when set). `nil` outside systemd.
public struct SystemdEnvironment: Sendable, Equatable {
    /// The notification socket.
    public var notifier: SystemdNotifier
    /// Half of `$WATCHDOG_USEC` (as sd_watchdog_enabled(3) advises); `nil` when no watchdog is configured
    /// or it is meant for another process.
    public var watchdogInterval: Duration?

    public init(notifier: SystemdNotifier, watchdogInterval: Duration? = nil) {
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
    }

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`; `pid` is this process.
    public init?(environment: [String: String], pid: Int32 = getpid()) {
        guard let notifier = SystemdNotifier(environment: environment) else { return nil }
        self.notifier = notifier
        watchdogInterval = Self.watchdogInterval(environment: environment, pid: pid)
    }

    /// The same, from the process environment.
    public static func fromProcessEnvironment() -> SystemdEnvironment? {
        var environment: [String: String] = [:]
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return SystemdEnvironment(environment: environment)
    }

    /// Half of a positive `WATCHDOG_USEC`, unless `WATCHDOG_PID` names a different process.
    static func watchdogInterval(environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else {
            return nil
        }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(Int64(clamping: microseconds / 2))
    }
}
