// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// Live whitelist edits: a valid edit takes effect within 5 s, an invalid or missing file keeps the
/// previous whitelist in force, and each outcome is logged and counted.
@Suite struct WhitelistReloadTests {
    @Test func validEditTakesEffectWithinFiveSeconds() async throws {
        try await withSidecar { harness in
            #expect(try await harness.send("GET", "/cgi-bin/user/info").status == 403)
            _ = try harness.directory.write("/wxa/msg_sec_check\n/cgi-bin/user/info\n", to: "whitelist.txt")
            let started = ContinuousClock.now
            try await eventually("the edit to take effect", timeout: .seconds(5)) {
                try await harness.send("GET", "/cgi-bin/user/info").status == 200
            }
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await harness.send("GET", "/echo/x").status == 403)
            let metrics = try await harness.send("GET", "/-/metrics").text
            #expect(metrics.contains(#"wxsidecar_whitelist_reloads_total{result="success"} 1"#))
            #expect(metrics.contains("wxsidecar_whitelist_entries 2"))
            #expect(harness.logs.contains("whitelist reloaded"))
        }
    }

    @Test(arguments: [
        "/wxa/msg_sec_check\n/wxa/../cgi-bin/token\n",
        "/wxa/msg_sec_check\nwxa/no-leading-slash\n",
        "/wxa/msg sec check\n",
        "/wxa/%2e%2e\n",
    ])
    func invalidEditKeepsThePreviousWhitelist(_ text: String) async throws {
        try await withSidecar { harness in
            _ = try harness.directory.write(text, to: "whitelist.txt")
            try await eventually("the failed reload to be logged", timeout: .seconds(15)) {
                harness.logs.contains("whitelist reload failed")
            }
            #expect(harness.logs.all.contains { $0.contains("whitelist reload failed") && $0.contains("line ") })
            #expect(try await harness.send("GET", "/echo/still-allowed").status == 200)
            let metrics = try await harness.send("GET", "/-/metrics").text
            #expect(metrics.contains(#"wxsidecar_whitelist_reloads_total{result="error"} 1"#))
            #expect(metrics.contains("wxsidecar_whitelist_entries 4"))
        }
    }

    @Test func aReloadDoesNotDisturbRequestsInFlight() async throws {
        try await withSidecar { harness in
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/slow", action: .none, count: 1, delay: .seconds(2)))
            async let slow = harness.send("GET", "/echo/slow")
            try await eventually("the slow request to reach the upstream") {
                harness.emulator.knobs.stats.requests(to: "/echo/slow") == 1
            }
            // Remove /echo/* while the call is in flight: the call completes, the next one is denied.
            _ = try harness.directory.write("/wxa/msg_sec_check\n", to: "whitelist.txt")
            try await eventually("the reload", timeout: .seconds(15)) { harness.logs.contains("whitelist reloaded") }
            #expect(try await slow.status == 200)
            #expect(try await harness.send("GET", "/echo/slow").status == 403)
        }
    }

    @Test func deletedFileKeepsThePreviousWhitelist() async throws {
        try await withSidecar { harness in
            try FileManager.default.removeItem(atPath: harness.directory.path("whitelist.txt"))
            try await eventually("the missing file to be reported", timeout: .seconds(15)) {
                harness.logs.contains("missing or unreadable")
            }
            #expect(try await harness.send("GET", "/echo/still-allowed").status == 200)
            _ = try harness.directory.write("/echo/*\n", to: "whitelist.txt")
            try await eventually("the restored file to load", timeout: .seconds(5)) {
                try await harness.send("POST", "/wxa/msg_sec_check", body: "{}").status == 403
            }
        }
    }

    @Test func tokenEndpointsAreNeverForwardedEvenWhenListed() async throws {
        var options = SidecarHarness.Options()
        options.whitelist = "/*\n/cgi-bin/token\n/cgi-bin/stable_token\n"
        try await withSidecar(options) { harness throws in
            let before = harness.emulator.knobs.stats.requests
            #expect(try await harness.send("GET", "/cgi-bin/token?grant_type=client_credential").status == 403)
            #expect(try await harness.send("POST", "/cgi-bin/stable_token", body: "{}").status == 403)
            #expect(harness.emulator.knobs.stats.requests == before)
            #expect(try await harness.send("GET", "/cgi-bin/user/info").status == 200)
            #expect(harness.logs.contains("never forwarded"))
        }
    }
}
