// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import TestSupport
import Testing

/// `SystemdNotifier` and `SystemdEnvironment`: parsing systemd's variables, and datagrams on a real socket.
@Suite("systemd notifier")
struct SystemdNotifierTests {
    // MARK: Parsing

    @Test(
        "NOTIFY_SOCKET values",
        arguments: [
            ("/run/systemd/notify", SystemdNotifier.Address.path("/run/systemd/notify")),
            ("@/org/freedesktop/systemd1/notify/42", .abstract("/org/freedesktop/systemd1/notify/42")),
            ("@x", .abstract("x")),
        ])
    func parsesSocket(value: String, expected: SystemdNotifier.Address) {
        #expect(SystemdNotifier(socket: value)?.address == expected)
    }

    @Test("unusable NOTIFY_SOCKET values are ignored", arguments: ["", "@", "relative/notify", String(repeating: "/a", count: 60)])
    func ignoresUnusableSocket(value: String) {
        #expect(SystemdNotifier(socket: value) == nil)
    }

    @Test("no NOTIFY_SOCKET, no systemd integration")
    func absentWithoutNotifySocket() {
        #expect(SystemdEnvironment(environment: ["WATCHDOG_USEC": "1000000"]) == nil)
    }

    @Test(
        "the watchdog interval is half of WATCHDOG_USEC, for this process only",
        arguments: [
            (["WATCHDOG_USEC": "30000000"], Duration?.some(.seconds(15))),
            (["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"], .some(.seconds(15))),
            (["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4243"], nil),
            (["WATCHDOG_USEC": "0"], nil),
            (["WATCHDOG_USEC": "soon"], nil),
            ([:], nil),
        ])
    func watchdogInterval(variables: [String: String], expected: Duration?) {
        let environment = SystemdEnvironment(
            environment: variables.merging(["NOTIFY_SOCKET": "/run/notify"]) { $1 }, pid: 4242)
        #expect(environment?.watchdogInterval == expected)
    }

    // MARK: Sending

    @Test("a message arrives as one datagram on a socket file")
    func sendsToPath() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-notify")
        let listener = try NotifyListener(socketName: directory.path("notify.sock"))
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.socketName]))
        try notifier.send(SystemdNotifier.ready(status: "serving"))
        try notifier.send(SystemdNotifier.watchdog)
        let ready = try await listener.messages.first("READY=1") { _ in true }
        #expect(ready.item == "READY=1\nSTATUS=serving")
        #expect(try await listener.messages.first(from: 1, "WATCHDOG=1") { _ in true }.item == "WATCHDOG=1")
        await listener.stop()
    }

    @Test("an abstract @socket works like a file")
    func sendsToAbstractSocket() async throws {
        let listener = try NotifyListener(socketName: "@wxsidecar-test-\(UUID().uuidString)")
        let notifier = try #require(SystemdNotifier(socket: listener.socketName))
        try notifier.send(SystemdNotifier.stopping(status: "stopping"))
        #expect(try await listener.messages.first("STOPPING=1") { _ in true }.item == "STOPPING=1\nSTATUS=stopping")
        await listener.stop()
    }

    @Test("RELOADING=1 carries CLOCK_MONOTONIC in microseconds")
    func reloadingCarriesMonotonicTime() throws {
        let message = SystemdNotifier.reloading(status: "reloading")
        let field = try #require(message.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") })
        let microseconds = try #require(UInt64(field.dropFirst("MONOTONIC_USEC=".count)))
        let uptime = ProcessInfo.processInfo.systemUptime * 1_000_000
        #expect(abs(Double(microseconds) - uptime) < 5_000_000)
    }

    @Test("a socket nobody listens on is an error, not a hang")
    func missingSocketFails() throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-notify")
        let notifier = try #require(SystemdNotifier(socket: directory.path("nobody.sock")))
        #expect(throws: SystemdNotifier.Failure.self) { try notifier.send(SystemdNotifier.watchdog) }
    }
}
