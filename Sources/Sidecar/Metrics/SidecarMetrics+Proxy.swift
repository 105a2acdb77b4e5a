// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus
import Synchronization

/// The labels of one `wxsidecar_requests_total` counter.
struct RequestCounterKey: Hashable, Sendable {
    var path: String
    var status: Int
}

extension SidecarMetrics {
    // MARK: Requests

    private static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "wxsidecar", metricName: "requests", unitName: "total",
        helpText: "Requests answered, by whitelist entry (or denied/invalid/admin) and HTTP status.")
    }

    /// `wxsidecar_requests_total{path,status}`; `path` is a whitelist entry or one of `denied`, `invalid`, `admin`.
    public func requests(path: String, status: Int) -> Counter {
        let key = RequestCounterKey(path: path, status: status)
        if let counter = requestCounters.withLock({ $0[key] }) { return counter }
        let counter = registry.makeCounter(
            descriptor: Self.requestsName, labels: [("path", path), ("status", String(status))])
        requestCounters.withLock { $0[key] = counter }
        return counter
    }

    /// `wxsidecar_request_duration_seconds`: from request head to response head.
    public var requestDuration: DurationHistogram {
        requestDurationHistogram
    }

    static func makeRequestDuration(in registry: PrometheusCollectorRegistry) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "request_duration", unitName: "seconds",
                helpText: "Time from receiving a request to answering it."),
            buckets: [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
            ])
    }

    /// `wxsidecar_upstream_errors_total{kind}`: transport failures (`timeout`, `connect`, `tls`, `reset`, …)
    /// and token errors WeChat answered (`token_invalid`).
    public func upstreamErrors(_ kind: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "upstream_errors", unitName: "total",
                helpText: "Upstream failures by kind: timeout, connect, resolve, tls, reset, empty_reply, token_invalid, …"),
            labels: [("kind", kind)])
    }

    /// `wxsidecar_upstream_cancelled_total`: upstream calls cancelled because their caller hung up first (not an
    /// upstream failure, so not in `upstream_errors_total`).
    public var upstreamCancelled: Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "wxsidecar", metricName: "upstream_cancelled", unitName: "total",
            helpText: "Upstream calls cancelled because the caller closed its connection before the answer."))
    }

    // MARK: Whitelist

    /// `wxsidecar_whitelist_entries`.
    public var whitelistEntries: Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "wxsidecar", metricName: "whitelist", unitName: "entries",
            helpText: "Entries in the whitelist in force."))
    }

    /// `wxsidecar_whitelist_reloads_total{result}`: `success` or `error`.
    public func whitelistReloads(_ result: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "whitelist_reloads", unitName: "total",
                helpText: "Whitelist reloads by result: success, error (the previous whitelist stays in force)."),
            labels: [("result", result)])
    }
}

extension SidecarMetrics {
    /// `wxsidecar_rate_limited_total{rule}`: calls the quota guard answered 429.
    public func rateLimited(_ rule: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "rate_limited", unitName: "total",
                helpText: "Calls refused with 429/45011 by the sidecar's rate_limits, by rule path."),
            labels: [("rule", rule)])
    }

    /// `wxsidecar_callers_refused_total{reason}`: `caller_not_allowed`, `caller_key_missing`, `too_many_requests`.
    public func callersRefused(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "callers_refused", unitName: "total",
                helpText: "Requests refused before any work: caller_not_allowed, caller_key_missing, too_many_requests."),
            labels: [("reason", reason)])
    }
}
