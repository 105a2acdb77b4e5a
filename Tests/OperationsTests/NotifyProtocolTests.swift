// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing
import WeChatEmulator

#if canImport(Glibc)
import Glibc
#endif

/// The sd_notify protocol as systemd sees it: the real `wxsidecar run` process, a datagram socket in
/// `NOTIFY_SOCKET`, the AppSecret in `CREDENTIALS_DIRECTORY`, real SIGHUP and SIGTERM.
@Suite("systemd notify protocol (wxsidecar run as a child process)")
struct NotifyProtocolTests {
    @Test("READY=1 comes only once the listener is bound and the first token is on disk")
    func readyAfterListenerAndToken() async throws {
        try await withDaemonFixture { fixture in
            // Hold the first token fetch for 2 s, so the listener is up well before any token exists.
            fixture.emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/cgi-bin/stable_token", action: .none, count: 1, delay: .seconds(2)))
            try await fixture.withNotifiedDaemon { daemon, listener in
                let listening = try await daemon.lines.first("listening line") { listeningPort($0) != nil }
                let port = try #require(listeningPort(listening.item))
                #expect(!listener.messages.items.contains { $0.hasPrefix("READY=1") }, "READY=1 before any token")
                #expect(fixture.token == nil)

                let ready = try await listener.messages.first("READY=1") { $0.hasPrefix("READY=1") }.item
                #expect(ready.contains("STATUS=serving on 127.0.0.1:\(port)"))
                #expect(fixture.token?.isEmpty == false, "the token file exists when READY=1 arrives")
                #expect(try await httpGet(port: port, "/-/ready").status == 200)
                #expect(listener.messages.items.first?.hasPrefix("STATUS=waiting") == true)

                daemon.send(SIGTERM)
                #expect(try await daemon.exitStatus() == 0)
            }
        }
    }

    @Test("SIGHUP is bracketed by RELOADING=1 (with MONOTONIC_USEC) and READY=1")
    func reloadingAroundSighup() async throws {
        try await withDaemonFixture { fixture in
            try await fixture.withNotifiedDaemon { daemon, listener in
                let ready = try await listener.messages.first("READY=1") { $0.hasPrefix("READY=1") }

                try fixture.directory.write("/wxa/msg_sec_check\n/wxa/getwxacode\n", to: "whitelist.txt")
                daemon.send(SIGHUP)
                let reloading = try await listener.messages.first(from: ready.index + 1, "RELOADING=1") {
                    $0.hasPrefix("RELOADING=1")
                }
                #expect(reloading.item.contains("\nMONOTONIC_USEC="))
                let readyAgain = try await listener.messages.first(from: reloading.index + 1, "READY=1 after reload") {
                    $0.hasPrefix("READY=1")
                }
                #expect(readyAgain.item == ready.item, "the same READY=1 and STATUS= as at start")
                let reloaded = try await daemon.lines.first("whitelist reloaded line") {
                    jsonObject($0)?["wxsidecar.whitelist.reason"] as? String == "SIGHUP"
                }
                #expect(jsonObject(reloaded.item)?["wxsidecar.whitelist.entries"] as? String == "2")

                daemon.send(SIGTERM)
                #expect(try await daemon.exitStatus() == 0)
            }
        }
    }

    @Test("SIGTERM sends STOPPING=1 first, then the daemon drains and exits 0")
    func stoppingOnSigterm() async throws {
        try await withDaemonFixture { fixture in
            try await fixture.withNotifiedDaemon { daemon, listener in
                let ready = try await listener.messages.first("READY=1") { $0.hasPrefix("READY=1") }

                daemon.send(SIGTERM)
                let stopping = try await listener.messages.first(from: ready.index + 1, "STOPPING=1") {
                    $0.hasPrefix("STOPPING=1")
                }
                #expect(try await daemon.exitStatus() == 0)
                let after = listener.messages.items.dropFirst(stopping.index + 1)
                #expect(!after.contains { $0.hasPrefix("READY=1") || $0.hasPrefix("RELOADING=1") })
            }
        }
    }

    @Test("WATCHDOG_USEC makes the daemon ping WATCHDOG=1 at half the interval")
    func watchdogPings() async throws {
        try await withDaemonFixture { fixture in
            try await fixture.withNotifiedDaemon(extraEnvironment: ["WATCHDOG_USEC": "400000"]) { daemon, listener in
                let first = try await listener.messages.first("WATCHDOG=1") { $0 == "WATCHDOG=1" }
                let second = try await listener.messages.first(from: first.index + 1, "a second WATCHDOG=1") { $0 == "WATCHDOG=1" }
                _ = try await listener.messages.first(from: second.index + 1, "a third WATCHDOG=1") { $0 == "WATCHDOG=1" }

                daemon.send(SIGTERM)
                #expect(try await daemon.exitStatus() == 0)
            }
        }
    }

    @Test("without NOTIFY_SOCKET the daemon runs as before and sends nothing")
    func noSocketNoNotifications() async throws {
        try await withDaemonFixture { fixture in
            try await fixture.withDaemon { daemon in
                let listening = try await daemon.lines.first("listening line") { listeningPort($0) != nil }
                let port = try #require(listeningPort(listening.item))
                _ = try await daemon.lines.first("first token") { jsonObject($0)?["wxsidecar.token.fingerprint"] != nil }
                #expect(try await httpGet(port: port, "/-/ready").status == 200)
                #expect(!daemon.lines.items.contains { $0.contains("systemd") })
                daemon.send(SIGTERM)
                #expect(try await daemon.exitStatus() == 0)
            }
        }
    }
}
