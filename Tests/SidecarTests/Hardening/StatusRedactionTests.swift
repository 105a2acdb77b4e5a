// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// `/-/status` shows the last token error, but never the AppSecret, even when the token endpoint echoes it.
@Suite struct StatusRedactionTests {
    @Test func theAppSecretEchoedByTheTokenEndpointNeverReachesStatusOrLogs() async throws {
        var options = SidecarHarness.Options()
        options.waitForToken = false
        options.emulatorFaults = [
            EmulatorFault(
                pathPrefix: "/cgi-bin/",
                action: .errcode(40125, errmsg: "invalid appsecret \(SidecarHarness.secret) / a/\(SidecarHarness.secret)"))
        ]
        try await withSidecar(options) { harness in
            try await eventually("a failed refresh") { harness.app.tokens.current.lastError != nil }
            let status = try await harness.send("GET", "/-/status")
            #expect(status.status == 200)
            #expect(!status.text.contains(SidecarHarness.secret))
            #expect(status.text.contains("[redacted]"))
            #expect(!harness.logs.contains(SidecarHarness.secret))
            let metrics = try await harness.send("GET", "/-/metrics")
            #expect(!metrics.text.contains(SidecarHarness.secret))
        }
    }
}
