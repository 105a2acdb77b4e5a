// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus

/// The labels of one `wxsidecar_requests_total` counter.
struct RequestCounterKey: Hashable, Sendable {
    var appid: String
    var path: String
    var status: Int
}

extension SidecarMetrics {
    // MARK: Requests

    /// `wxsidecar_requests_total{appid,path,status}`; `appid` is the account the call ran as (empty before one was
    /// chosen: admin, refused, invalid), `path` a whitelist entry or one of `denied`, `invalid`, `admin`.
    public func requests(appid: String = "", path: String, status: Int) -> Counter {
        requestCounters[RequestCounterKey(appid: appid, path: path, status: status)]
    }

    static func makeRequestCounters(in registry: PrometheusCollectorRegistry) -> MetricFamily<RequestCounterKey, Counter> {
        MetricFamily { key in
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "wxsidecar", metricName: "requests", unitName: "total",
                    helpText: "Requests answered, by account, whitelist entry (or denied/invalid/admin) and HTTP status."),
                labels: [("appid", key.appid), ("path", key.path), ("status", String(key.status))])
        }
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
        upstreamErrorCounters[kind]
    }

    /// `wxsidecar_upstream_cancelled_total`: upstream calls cancelled because their caller hung up first (not an
    /// upstream failure, so not in `upstream_errors_total`).
    public var upstreamCancelled: Counter {
        upstreamCancelledCounter[""]
    }

    // MARK: Whitelist

    /// `wxsidecar_whitelist_entries`.
    public var whitelistEntries: Gauge {
        whitelistEntriesGauge[""]
    }

    /// `wxsidecar_whitelist_reloads_total{result}`: `success` or `error`.
    public func whitelistReloads(_ result: String) -> Counter {
        whitelistReloadCounters[result]
    }
}

extension SidecarMetrics {
    /// `wxsidecar_callers_refused_total{reason}`: `caller_not_allowed`, `caller_key_missing`, `too_many_requests`.
    public func callersRefused(_ reason: String) -> Counter {
        callersRefusedCounters[reason]
    }
}
