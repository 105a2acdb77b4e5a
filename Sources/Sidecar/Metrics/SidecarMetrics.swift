// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus
import Synchronization

/// Every metric the sidecar exports, served as Prometheus text at `/-/metrics`. Label values are bounded:
/// whitelisted paths, status codes and short error labels only.
///
/// Every handle is made once and kept: the fixed ones at start, the labelled ones on the first use of each label
/// value (``MetricFamily``). A use after that takes one lock and reads one dictionary; it never builds a
/// descriptor nor asks the registry (whose lookup builds the full name, takes its lock and compares labels).
public final class SidecarMetrics: Sendable {
    /// The registry the metrics live in (one per daemon; tests make their own).
    public let registry: PrometheusCollectorRegistry
    /// `wxsidecar_request_duration_seconds`.
    let requestDurationHistogram: DurationHistogram
    /// `wxsidecar_requests_total` counters by (path label, status).
    let requestCounters: MetricFamily<RequestCounterKey, Counter>
    /// `wxsidecar_token_recoveries_total{result}`: how each report of a rejected token ended, one counter per
    /// ``TokenRecoveryOutcome``, made once.
    let tokenRecoveryCounters: MetricFamily<AccountLabel, Counter>
    /// `wxsidecar_answers_scrubbed_total`: upstream answers that carried a token or secret, replaced before sending.
    public let answersScrubbed: Counter
    /// Heap memory handed back to the system after bursts (``HeapReleaser``).
    public let heapReleasedBytes: Counter
    /// `wxsidecar_token_expires_in_seconds`: seconds of life left in the held token (0 when none).
    let tokenExpiresInGauges: MetricFamily<String, Gauge>
    let tokenRefreshCounters: MetricFamily<AccountLabel, Counter>
    let tokenFileWriteCounters: MetricFamily<AccountLabel, Counter>
    let tokenForcedRefreshCounters: MetricFamily<AccountLabel, Counter>
    let ticketRefreshCounters: MetricFamily<[String], Counter>
    let ticketExpiresInGauges: MetricFamily<AccountLabel, Gauge>
    let upstreamErrorCounters: MetricFamily<String, Counter>
    /// Unlabelled, but made on first use like the labelled ones: absent from the text until then, as before.
    let upstreamCancelledCounter: MetricFamily<String, Counter>
    let whitelistEntriesGauge: MetricFamily<String, Gauge>
    let whitelistReloadCounters: MetricFamily<String, Counter>
    let rateLimitedCounters: MetricFamily<AccountLabel, Counter>
    let callersRefusedCounters: MetricFamily<String, Counter>
    let apiSecurityFailureCounters: MetricFamily<AccountLabel, Counter>

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.requestDurationHistogram = Self.makeRequestDuration(in: registry)
        self.requestCounters = Self.makeRequestCounters(in: registry)
        self.tokenRecoveryCounters = .counters(
            in: registry, "token_recoveries", label: "result",
            help: "Reports of a rejected access_token (40001/40014/42001) by how they ended.")
        self.answersScrubbed = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "answers_scrubbed", unitName: "total",
                helpText: "Upstream answers in which the sidecar replaced its own access_token (or a secret)."))
        self.heapReleasedBytes = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "heap_released_bytes", unitName: "total",
                helpText: "Freed heap memory the sidecar handed back to the system once a burst of calls was over."))
        self.tokenExpiresInGauges = MetricFamily { appid in
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "wxsidecar", metricName: "token_expires_in", unitName: "seconds",
                    helpText: "Seconds until the account's access_token expires; 0 when no valid token is held."),
                labels: [("appid", appid)])
        }
        self.tokenRefreshCounters = .counters(
            in: registry, "token_refreshes", label: "result",
            help: "Token fetches by account and result: success, error (transient), config_error.")
        self.tokenFileWriteCounters = .counters(
            in: registry, "token_file_writes", label: "result",
            help: "Token and ticket file replacements by account and result: written, error, removed.")
        self.tokenForcedRefreshCounters = .counters(
            in: registry, "token_forced_refreshes", label: "result",
            help: "Forced token refreshes for 40001 recovery, by account and result: done, too_soon, daily_limit.")
        self.ticketRefreshCounters = MetricFamily { key in
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "wxsidecar", metricName: "ticket_refreshes", unitName: "total",
                    helpText: "JS-SDK ticket fetches by account, ticket (jsapi, wx_card) and result: success, error."),
                labels: [("appid", key[0]), ("ticket", key[1]), ("result", key[2])])
        }
        self.ticketExpiresInGauges = MetricFamily { key in
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "wxsidecar", metricName: "ticket_expires_in", unitName: "seconds",
                    helpText: "Seconds until the account's ticket expires; 0 when none is held."),
                labels: [("appid", key.appid), ("ticket", key.value)])
        }
        self.upstreamErrorCounters = .counters(
            in: registry, "upstream_errors", label: "kind",
            help: "Upstream failures by kind: timeout, connect, resolve, tls, reset, empty_reply, token_invalid, …")
        self.upstreamCancelledCounter = .counters(
            in: registry, "upstream_cancelled", label: nil,
            help: "Upstream calls cancelled because the caller closed its connection before the answer.")
        self.whitelistEntriesGauge = MetricFamily { _ in
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "wxsidecar", metricName: "whitelist", unitName: "entries",
                    helpText: "Entries in the whitelist in force."))
        }
        self.whitelistReloadCounters = .counters(
            in: registry, "whitelist_reloads", label: "result",
            help: "Whitelist reloads by result: success, error (the previous whitelist stays in force).")
        self.rateLimitedCounters = .counters(
            in: registry, "rate_limited", label: "rule",
            help: "Calls refused with 429/45011 by the sidecar's rate_limits, by account and rule path.")
        self.callersRefusedCounters = .counters(
            in: registry, "callers_refused", label: "reason",
            help: "Requests refused before any work: caller_not_allowed, caller_key_missing, too_many_requests.")
        self.apiSecurityFailureCounters = .counters(
            in: registry, "api_security_failures", label: "reason",
            help: "Signed API calls refused or answers that failed verification, by account and reason: bad_signature, unknown_serial, unsigned, bad_ciphertext, …")
        // Present from the start, so dashboards and alerts see zeros rather than nothing.
        for result in ["success", "error"] { whitelistReloads(result).increment(by: Int64(0)) }
    }

    /// `wxsidecar_api_security_failures_total{appid,reason}`.
    func apiSecurityFailures(appid: String, reason: String) -> Counter {
        apiSecurityFailureCounters[AccountLabel(appid: appid, value: reason)]
    }

    /// The metrics of one account, made once per account.
    public func account(_ appid: String) -> AccountMetrics {
        AccountMetrics(appid: appid, metrics: self)
    }

    /// The exposition text.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}

// MARK: - MetricFamily

/// The metrics of one name, one per label value, each made in the registry on the first use of its value and
/// kept: later uses take one lock and read one dictionary, never the registry. Label values are bounded (results,
/// kinds, reasons, whitelist entries, rule paths), so the dictionary is too.
final class MetricFamily<Key: Hashable & Sendable, Metric: AnyObject & Sendable>: Sendable {
    private let make: @Sendable (Key) -> Metric
    private let made = Mutex<[Key: Metric]>([:])

    /// A family whose metric for a key is `make(key)`, called once per key.
    init(_ make: @escaping @Sendable (Key) -> Metric) {
        self.make = make
    }

    /// The metric for `key`, made on first use.
    subscript(key: Key) -> Metric {
        made.withLock { made in
            if let metric = made[key] { return metric }
            let metric = make(key)
            made[key] = metric
            return metric
        }
    }
}

/// A label value of one account's series: `{appid="…",<label>="value"}`.
struct AccountLabel: Hashable, Sendable {
    var appid: String
    var value: String
}

extension MetricFamily where Key == AccountLabel, Metric == Counter {
    /// `wxsidecar_<name>_total{appid,<label>}` counters.
    static func counters(
        in registry: PrometheusCollectorRegistry, _ name: String, label: String, help: String
    ) -> MetricFamily {
        MetricFamily { key in
            let descriptor = MetricNameDescriptor(namespace: "wxsidecar", metricName: name, unitName: "total", helpText: help)
            return registry.makeCounter(descriptor: descriptor, labels: [("appid", key.appid), (label, key.value)])
        }
    }
}

extension MetricFamily where Key == String, Metric == Counter {
    /// `wxsidecar_<name>_total` counters, one per value of `label` (`nil`: one counter with no label, under
    /// any key).
    static func counters(
        in registry: PrometheusCollectorRegistry, _ name: String, label: String?, help: String
    ) -> MetricFamily {
        MetricFamily { value in
            let descriptor = MetricNameDescriptor(namespace: "wxsidecar", metricName: name, unitName: "total", helpText: help)
            guard let label else { return registry.makeCounter(descriptor: descriptor) }
            return registry.makeCounter(descriptor: descriptor, labels: [(label, value)])
        }
    }
}
