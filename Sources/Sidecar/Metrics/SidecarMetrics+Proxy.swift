// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus

extension SidecarMetrics {
    // MARK: Requests

    private static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "wxsidecar", metricName: "requests", unitName: "total",
        helpText: "Requests answered, by whitelist entry (or denied/invalid/admin) and HTTP status.")
    }

    /// `wxsidecar_requests_total{path,status}`; `path` is a whitelist entry or one of `denied`, `invalid`, `admin`.
    public func requests(path: String, status: Int) -> Counter {
        registry.makeCounter(descriptor: Self.requestsName, labels: [("path", path), ("status", String(status))])
    }

    /// `wxsidecar_request_duration_seconds`: from request head to response head.
    public var requestDuration: DurationHistogram {
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
