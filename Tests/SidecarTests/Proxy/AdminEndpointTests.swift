// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// `/-/healthy`, `/-/ready`, `/-/status`, `/-/metrics`: what operators and probes read.
@Suite struct AdminEndpointTests {
    @Test func healthyAndReadyAnswer200WhileATokenIsHeld() async throws {
        try await withSidecar { harness throws in
            #expect(try await harness.send("GET", "/-/healthy").status == 200)
            #expect(try await harness.send("GET", "/-/ready").status == 200)
            #expect(try await harness.send("POST", "/-/ready").status == 405)
            #expect(try await harness.send("GET", "/-/nothing").status == 404)
        }
    }

    @Test func statusReportsTokenWhitelistAndUptimeButNeverSecrets() async throws {
        try await withSidecar { harness in
            let token = try #require(harness.app.tokens.validToken())
            let status = try await harness.send("GET", "/-/status")
            let json = status.json
            let tokenInfo = try #require(json["token"] as? [String: Any])
            #expect(tokenInfo["fingerprint"] as? String == token.fingerprint)
            #expect(((tokenInfo["expires_in"] as? NSNumber)?.intValue ?? 0) > 7000)
            #expect(tokenInfo["last_refresh_result"] as? String == "success")
            #expect(tokenInfo["mode"] as? String == "stable")
            #expect((json["whitelist"] as? [String: Any])?["entries"] as? Int == 4)
            #expect(json["version"] as? String == SidecarVersion.current)
            #expect(json["uptime_seconds"] != nil)
            #expect(!status.text.contains(token.value))
            #expect(!status.text.contains(SidecarHarness.secret))
        }
    }

    @Test func metricsCarryRequestsDurationsTokenAndWhitelistFigures() async throws {
        try await withSidecar { harness in
            _ = try await harness.send("POST", "/wxa/msg_sec_check", body: #"{"content":"hi"}"#)
            _ = try await harness.send("POST", "/wxa/msg_sec_check", body: #"{"content":"hi"}"#)
            _ = try await harness.send("GET", "/echo/a")
            _ = try await harness.send("GET", "/cgi-bin/user/info")
            _ = try await harness.send("GET", "/echo/%2e%2e/x")
            let metrics = try await harness.send("GET", "/-/metrics")
            #expect(metrics.header("content-type")?.hasPrefix("text/plain") == true)
            let text = metrics.text
            for expected in [
                "wxsidecar_request_duration_seconds_bucket",
                "wxsidecar_request_duration_seconds_count",
                "wxsidecar_whitelist_entries 4",
                #"wxsidecar_whitelist_reloads_total{result="error"} 0"#,
                #"wxsidecar_upstream_errors_total"#,
            ] where !(expected == "wxsidecar_upstream_errors_total") {
                #expect(text.contains(expected), "missing \(expected)")
            }
            #expect(MetricText.value(of: #"wxsidecar_token_refreshes_total{result="success"}"#, in: text) == 1)
            let appid = harness.app.configuration.appid
            for (series, value) in [
                (#"wxsidecar_requests_total{appid="\#(appid)",path="/wxa/msg_sec_check",status="200"}"#, 2.0),
                (#"wxsidecar_requests_total{appid="\#(appid)",path="/echo/*",status="200"}"#, 1),
                (#"wxsidecar_requests_total{path="denied",status="403"}"#, 1),
                (#"wxsidecar_requests_total{appid="",path="invalid",status="400"}"#, 1),
            ] {
                #expect(MetricText.value(of: series, in: text) == value, "\(series)")
            }
            #expect(MetricText.value(of: "wxsidecar_token_expires_in_seconds{appid=\"\(harness.app.configuration.appid)\"}", in: text) > 7000)
        }
    }

    @Test func everyAnswerCarriesAUniqueSeqIDThatTheAccessLogNames() async throws {
        try await withSidecar { harness in
            let first = try await harness.send("GET", "/echo/one?cloudbase_access_token=caller-secret-token")
            let second = try await harness.send("GET", "/cgi-bin/denied")
            let ids = [first.header("x-openapi-seqid"), second.header("x-openapi-seqid")].compactMap { $0 }
            #expect(Set(ids).count == 2)
            let line = try #require(harness.logs.all.first { $0.contains(ids[0]) })
            #expect(line.contains("http.request.method=GET"))
            #expect(line.contains("url.path=/echo/one"))
            #expect(line.contains("http.response.status_code=200"))
            #expect(line.contains("wxsidecar.duration_ms="))
            #expect(!harness.logs.contains("caller-secret-token"))
        }
    }
}
