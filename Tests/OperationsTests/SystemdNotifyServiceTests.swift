// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import Sidecar

/// `SystemdNotifyService` in process: the order of READY=1, RELOADING=1 and STOPPING=1 whatever order its
/// inputs (listener, token, reload, shutdown) arrive in.
@Suite("systemd notify service")
struct SystemdNotifyServiceTests {
    /// A running service on a test socket, with the token state it watches.
    struct Running {
        let service: SystemdNotifyService
        let tokens: TokenState
        let listener: NotifyListener
        let notifier: SystemdNotifier
        let group: ServiceGroup

        func holdToken() {
            tokens.update { $0.token = AccessToken(value: "token", fetchedAt: WallClock.now(), expiresIn: 7200) }
        }

        /// Messages other than STATUS= lines.
        var stateMessages: [String] { listener.messages.items.filter { !$0.hasPrefix("STATUS=") } }

        /// Sends a marker datagram and waits for it: everything sent before it has then arrived.
        func flush() async throws {
            try notifier.send("STATUS=flush")
            _ = try await listener.messages.first("flush marker") { $0 == "STATUS=flush" }
        }
    }

    func withService(_ body: (Running) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-notify")
        let listener = try NotifyListener(socketName: directory.path("notify.sock"))
        let notifier = try #require(SystemdNotifier(socket: listener.socketName))
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let tokens = TokenState()
        let service = SystemdNotifyService(
            environment: SystemdEnvironment(notifier: notifier), tokens: [tokens],
            listen: ListenAddress(host: "127.0.0.1", port: 0), logger: logger)
        let group = ServiceGroup(services: [service], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = try await listener.messages.first("initial STATUS=") { $0.hasPrefix("STATUS=") }
            try await body(Running(service: service, tokens: tokens, listener: listener, notifier: notifier, group: group))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await listener.stop()
    }

    @Test("READY=1 waits for the token when the listener comes first")
    func listenerThenToken() async throws {
        try await withService { running in
            running.service.listenerBound(port: 8098)
            running.service.signalReload(starting: true)
            running.service.signalReload(starting: false)
            running.holdToken()
            let ready = try await running.listener.messages.first("READY=1") { $0.hasPrefix("READY=1") }
            #expect(ready.item == "READY=1\nSTATUS=serving on 127.0.0.1:8098 with a valid access_token")
            #expect(running.stateMessages.count == 1, "a reload before READY=1 sends nothing")
        }
    }

    @Test("READY=1 waits for the listener when the token comes first")
    func tokenThenListener() async throws {
        try await withService { running in
            running.holdToken()
            running.service.listenerBound(port: 9000)
            _ = try await running.listener.messages.first("READY=1") { $0.hasPrefix("READY=1") }
            #expect(running.stateMessages.count == 1)
        }
    }

    @Test("graceful shutdown sends STOPPING=1 and silences later reloads")
    func stoppingEndsReloads() async throws {
        try await withService { running in
            running.holdToken()
            running.service.listenerBound(port: 9000)
            let ready = try await running.listener.messages.first("READY=1") { $0.hasPrefix("READY=1") }
            await running.group.triggerGracefulShutdown()
            _ = try await running.listener.messages.first(from: ready.index + 1, "STOPPING=1") { $0.hasPrefix("STOPPING=1") }
            running.service.signalReload(starting: true)
            running.service.signalReload(starting: false)
            try await running.flush()
            let stateMessages = running.stateMessages
            #expect(stateMessages.count == 2)
            #expect(stateMessages.last?.hasPrefix("STOPPING=1") == true)
        }
    }

    @Test("a shutdown before readiness still sends STOPPING=1, never READY=1")
    func stoppingBeforeReady() async throws {
        try await withService { running in
            await running.group.triggerGracefulShutdown()
            _ = try await running.listener.messages.first("STOPPING=1") { $0.hasPrefix("STOPPING=1") }
            #expect(!running.listener.messages.items.contains { $0.hasPrefix("READY=1") })
        }
    }
}
