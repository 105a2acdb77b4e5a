// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus
import Sidecar
import Testing

/// Every metric handle is made once (at start, or on the first use of a label value) and kept: an accessor hands
/// back the same object each time, so the hot path never looks anything up in the registry; and what
/// `/-/metrics` shows is what it showed when every use went through the registry.
@Suite struct SidecarMetricsTests {
    static let appid = "wx0123456789abcdef"

    @Test func everyAccessorReturnsTheSameHandleEachTime() {
        let metrics = SidecarMetrics()
        let account = metrics.account(Self.appid)
        #expect(account.tokenRefreshes("success") === account.tokenRefreshes("success"))
        #expect(account.tokenExpiresIn === account.tokenExpiresIn)
        #expect(account.tokenFileWrites("error") === account.tokenFileWrites("error"))
        #expect(account.tokenForcedRefreshes("too_soon") === account.tokenForcedRefreshes("too_soon"))
        #expect(metrics.requests(path: "/echo/*", status: 200) === metrics.requests(path: "/echo/*", status: 200))
        #expect(metrics.requestDuration === metrics.requestDuration)
        #expect(metrics.upstreamErrors("timeout") === metrics.upstreamErrors("timeout"))
        #expect(metrics.upstreamCancelled === metrics.upstreamCancelled)
        #expect(metrics.whitelistEntries === metrics.whitelistEntries)
        #expect(metrics.whitelistReloads("error") === metrics.whitelistReloads("error"))
        #expect(account.rateLimited("/echo/*") === account.rateLimited("/echo/*"))
        #expect(metrics.callersRefused("caller_key_missing") === metrics.callersRefused("caller_key_missing"))
    }

    /// Were an accessor a registry lookup, the registry would make a new handle once it had forgotten the old one.
    @Test func aHandleOnceMadeIsKeptAndTheRegistryIsNotAskedAgain() {
        let metrics = SidecarMetrics()
        let account = metrics.account(Self.appid)
        let registry = metrics.registry
        func kept(_ counter: () -> Counter) -> Bool {
            let first = counter()
            registry.unregisterCounter(first)
            return counter() === first
        }
        func kept(_ gauge: () -> Gauge) -> Bool {
            let first = gauge()
            registry.unregisterGauge(first)
            return gauge() === first
        }
        #expect(kept { account.tokenRefreshes("success") })
        #expect(kept { account.tokenFileWrites("written") })
        #expect(kept { account.tokenForcedRefreshes("done") })
        #expect(kept { metrics.requests(path: "/wxa/msg_sec_check", status: 200) })
        #expect(kept { metrics.upstreamErrors("tls") })
        #expect(kept { metrics.upstreamCancelled })
        #expect(kept { metrics.whitelistReloads("success") })
        #expect(kept { account.rateLimited("/wxa/getwxacode") })
        #expect(kept { metrics.callersRefused("too_many_requests") })

        #expect(kept { metrics.whitelistEntries })
        let duration = metrics.requestDuration
        registry.unregisterDurationHistogram(duration)
        #expect(metrics.requestDuration === duration)
    }

    @Test func eachLabelValueHasAHandleOfItsOwn() {
        let metrics = SidecarMetrics()
        let account = metrics.account(Self.appid)
        #expect(account.tokenRefreshes("success") !== metrics.account("wxother").tokenRefreshes("success"))
        #expect(account.tokenRefreshes("success") !== account.tokenRefreshes("error"))
        #expect(metrics.requests(path: "/echo/*", status: 200) !== metrics.requests(path: "/echo/*", status: 403))
        #expect(metrics.upstreamErrors("timeout") !== metrics.upstreamErrors("connect"))
        #expect(metrics.callersRefused("caller_not_allowed") !== metrics.callersRefused("too_many_requests"))
    }

    @Test func handlesAreSafeToMakeFromManyThreadsAtOnce() async {
        let metrics = SidecarMetrics()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<64 { group.addTask { metrics.upstreamErrors("reset").increment() } }
        }
        #expect(Self.lines(metrics).contains(#"wxsidecar_upstream_errors_total{kind="reset"} 64"#))
    }

    /// Every metric used twice, each use through its accessor.
    static func useEveryMetricTwice(_ metrics: SidecarMetrics) {
        let account = metrics.account(appid)
        for _ in 0..<2 {
            account.tokenRefreshes("success").increment()
            account.tokenRefreshes("error").increment(by: Int64(2))
            account.tokenExpiresIn.set(Double(7100))
            account.tokenFileWrites("written").increment()
            account.tokenFileWrites("error").increment()
            account.tokenForcedRefreshes("too_soon").increment()
            account.tokenRecoveries[.shared]?.increment()
            metrics.answersScrubbed.increment()
            metrics.requests(path: "/wxa/msg_sec_check", status: 200).increment()
            metrics.requests(path: "denied", status: 403).increment()
            metrics.requestDuration.recordNanoseconds(3_000_000)
            metrics.upstreamErrors("timeout").increment()
            metrics.upstreamCancelled.increment()
            metrics.whitelistEntries.set(Double(4))
            metrics.whitelistReloads("success").increment()
            account.rateLimited("/echo/*").increment()
            metrics.callersRefused("caller_key_missing").increment()
        }
    }

    /// The exposition's lines, sorted (the registry's order of metric families is not fixed).
    static func lines(_ metrics: SidecarMetrics) -> [String] {
        String(decoding: metrics.render(), as: UTF8.self).split(separator: "\n").map(String.init).sorted()
    }

    /// A new ``SidecarMetrics`` with one account made: every series dashboards expect exists, at zero.
    @Test func theExpositionAtStartIsWhatItWas() {
        let metrics = SidecarMetrics()
        _ = metrics.account(Self.appid)
        let lines = Self.lines(metrics)
        #expect(lines == Self.expectedAtStart, "\(lines.joined(separator: "\n"))")
    }

    @Test func theExpositionIsWhatTheRegistryLookupsProduced() {
        let metrics = SidecarMetrics()
        Self.useEveryMetricTwice(metrics)
        let lines = Self.lines(metrics)
        #expect(lines == Self.expected, "\(lines.joined(separator: "\n"))")
    }

    /// The exposition of a new ``SidecarMetrics`` as rendered before handles were kept, sorted.
    static let expectedAtStart: [String] = [
        "# HELP wxsidecar_answers_scrubbed_total Upstream answers in which the sidecar replaced its own access_token (or a secret).",
        "# HELP wxsidecar_heap_released_bytes_total Freed heap memory the sidecar handed back to the system once a burst of calls was over.",
        "# HELP wxsidecar_request_duration_seconds Time from receiving a request to answering it.",
        "# HELP wxsidecar_token_expires_in_seconds Seconds until the account's access_token expires; 0 when no valid token is held.",
        "# HELP wxsidecar_token_recoveries_total Reports of a rejected access_token (40001/40014/42001) by how they ended.",
        "# HELP wxsidecar_token_refreshes_total Token fetches by account and result: success, error (transient), config_error.",
        "# HELP wxsidecar_whitelist_reloads_total Whitelist reloads by result: success, error (the previous whitelist stays in force).",
        "# TYPE wxsidecar_answers_scrubbed_total counter",
        "# TYPE wxsidecar_heap_released_bytes_total counter",
        "# TYPE wxsidecar_request_duration_seconds histogram",
        "# TYPE wxsidecar_token_expires_in_seconds gauge",
        "# TYPE wxsidecar_token_recoveries_total counter",
        "# TYPE wxsidecar_token_refreshes_total counter",
        "# TYPE wxsidecar_whitelist_reloads_total counter",
        "wxsidecar_answers_scrubbed_total 0",
        "wxsidecar_heap_released_bytes_total 0",
        #"wxsidecar_request_duration_seconds_bucket{le="+Inf"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.0005"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.001"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.002"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.005"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.01"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.025"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.05"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.1"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.25"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.5"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="1.0"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="10.0"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="2.5"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="5.0"} 0"#,
        "wxsidecar_request_duration_seconds_count 0",
        "wxsidecar_request_duration_seconds_sum 0.0",
        #"wxsidecar_token_expires_in_seconds{appid="wx0123456789abcdef"} 0.0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="fetched_newer"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="force_failed"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="force_refused"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="forced"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="newer_token_held"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="not_current"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="probe_failed"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="shared"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="throttled"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="token_alive"} 0"#,
        #"wxsidecar_token_refreshes_total{appid="wx0123456789abcdef",result="config_error"} 0"#,
        #"wxsidecar_token_refreshes_total{appid="wx0123456789abcdef",result="error"} 0"#,
        #"wxsidecar_token_refreshes_total{appid="wx0123456789abcdef",result="success"} 0"#,
        #"wxsidecar_whitelist_reloads_total{result="error"} 0"#,
        #"wxsidecar_whitelist_reloads_total{result="success"} 0"#,
    ]

    /// The exposition after ``useEveryMetricTwice(_:)`` as rendered before handles were kept (every use a registry
    /// lookup), sorted.
    static let expected: [String] = [
        "# HELP wxsidecar_answers_scrubbed_total Upstream answers in which the sidecar replaced its own access_token (or a secret).",
        "# HELP wxsidecar_callers_refused_total Requests refused before any work: caller_not_allowed, caller_key_missing, too_many_requests.",
        "# HELP wxsidecar_heap_released_bytes_total Freed heap memory the sidecar handed back to the system once a burst of calls was over.",
        "# HELP wxsidecar_rate_limited_total Calls refused with 429/45011 by the sidecar's rate_limits, by account and rule path.",
        "# HELP wxsidecar_request_duration_seconds Time from receiving a request to answering it.",
        "# HELP wxsidecar_requests_total Requests answered, by account, whitelist entry (or denied/invalid/admin) and HTTP status.",
        "# HELP wxsidecar_token_expires_in_seconds Seconds until the account's access_token expires; 0 when no valid token is held.",
        "# HELP wxsidecar_token_file_writes_total Token and ticket file replacements by account and result: written, error, removed.",
        "# HELP wxsidecar_token_forced_refreshes_total Forced token refreshes for 40001 recovery, by account and result: done, too_soon, daily_limit.",
        "# HELP wxsidecar_token_recoveries_total Reports of a rejected access_token (40001/40014/42001) by how they ended.",
        "# HELP wxsidecar_token_refreshes_total Token fetches by account and result: success, error (transient), config_error.",
        "# HELP wxsidecar_upstream_cancelled_total Upstream calls cancelled because the caller closed its connection before the answer.",
        "# HELP wxsidecar_upstream_errors_total Upstream failures by kind: timeout, connect, resolve, tls, reset, empty_reply, token_invalid, …",
        "# HELP wxsidecar_whitelist_entries Entries in the whitelist in force.",
        "# HELP wxsidecar_whitelist_reloads_total Whitelist reloads by result: success, error (the previous whitelist stays in force).",
        "# TYPE wxsidecar_answers_scrubbed_total counter",
        "# TYPE wxsidecar_callers_refused_total counter",
        "# TYPE wxsidecar_heap_released_bytes_total counter",
        "# TYPE wxsidecar_rate_limited_total counter",
        "# TYPE wxsidecar_request_duration_seconds histogram",
        "# TYPE wxsidecar_requests_total counter",
        "# TYPE wxsidecar_token_expires_in_seconds gauge",
        "# TYPE wxsidecar_token_file_writes_total counter",
        "# TYPE wxsidecar_token_forced_refreshes_total counter",
        "# TYPE wxsidecar_token_recoveries_total counter",
        "# TYPE wxsidecar_token_refreshes_total counter",
        "# TYPE wxsidecar_upstream_cancelled_total counter",
        "# TYPE wxsidecar_upstream_errors_total counter",
        "# TYPE wxsidecar_whitelist_entries gauge",
        "# TYPE wxsidecar_whitelist_reloads_total counter",
        "wxsidecar_answers_scrubbed_total 2",
        #"wxsidecar_callers_refused_total{reason="caller_key_missing"} 2"#,
        "wxsidecar_heap_released_bytes_total 0",
        #"wxsidecar_rate_limited_total{appid="wx0123456789abcdef",rule="/echo/*"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="+Inf"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.0005"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.001"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.002"} 0"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.005"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.01"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.025"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.05"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.1"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.25"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="0.5"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="1.0"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="10.0"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="2.5"} 2"#,
        #"wxsidecar_request_duration_seconds_bucket{le="5.0"} 2"#,
        "wxsidecar_request_duration_seconds_count 2",
        "wxsidecar_request_duration_seconds_sum 0.006",
        #"wxsidecar_requests_total{appid="",path="/wxa/msg_sec_check",status="200"} 2"#,
        #"wxsidecar_requests_total{appid="",path="denied",status="403"} 2"#,
        #"wxsidecar_token_expires_in_seconds{appid="wx0123456789abcdef"} 7100.0"#,
        #"wxsidecar_token_file_writes_total{appid="wx0123456789abcdef",result="error"} 2"#,
        #"wxsidecar_token_file_writes_total{appid="wx0123456789abcdef",result="written"} 2"#,
        #"wxsidecar_token_forced_refreshes_total{appid="wx0123456789abcdef",result="too_soon"} 2"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="fetched_newer"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="force_failed"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="force_refused"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="forced"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="newer_token_held"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="not_current"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="probe_failed"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="shared"} 2"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="throttled"} 0"#,
        #"wxsidecar_token_recoveries_total{appid="wx0123456789abcdef",result="token_alive"} 0"#,
        #"wxsidecar_token_refreshes_total{appid="wx0123456789abcdef",result="config_error"} 0"#,
        #"wxsidecar_token_refreshes_total{appid="wx0123456789abcdef",result="error"} 4"#,
        #"wxsidecar_token_refreshes_total{appid="wx0123456789abcdef",result="success"} 2"#,
        "wxsidecar_upstream_cancelled_total 2",
        #"wxsidecar_upstream_errors_total{kind="timeout"} 2"#,
        "wxsidecar_whitelist_entries 4.0",
        #"wxsidecar_whitelist_reloads_total{result="error"} 0"#,
        #"wxsidecar_whitelist_reloads_total{result="success"} 2"#,
    ]
}
