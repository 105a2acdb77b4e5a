// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus
import Synchronization

/// Every metric the sidecar exports, served as Prometheus text at `/-/metrics`. Label values are bounded:
/// whitelisted paths, status codes and short error labels only.
public final class SidecarMetrics: Sendable {
    /// The registry the metrics live in (one per daemon; tests make their own).
    public let registry: PrometheusCollectorRegistry
    /// `wxsidecar_request_duration_seconds`, made once: the registry's lookup (a lock, a dictionary, a fresh
    /// bucket array) is not paid on every request.
    let requestDurationHistogram: DurationHistogram
    /// `wxsidecar_requests_total` counters by (path label, status), made once each for the same reason.
    let requestCounters = Mutex<[RequestCounterKey: Counter]>([:])
    /// `wxsidecar_token_recoveries_total{result}`: how each report of a rejected token ended, one counter per
    /// ``TokenRecoveryOutcome``, made once.
    public let tokenRecoveries: [TokenRecoveryOutcome: Counter]
    /// `wxsidecar_answers_scrubbed_total`: upstream answers that carried a token or secret, replaced before sending.
    public let answersScrubbed: Counter

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.requestDurationHistogram = Self.makeRequestDuration(in: registry)
        let recoveries = MetricNameDescriptor(
            namespace: "wxsidecar", metricName: "token_recoveries", unitName: "total",
            helpText: "Reports of a rejected access_token (40001/40014/42001) by how they ended.")
        self.tokenRecoveries = Dictionary(
            uniqueKeysWithValues: TokenRecoveryOutcome.allCases.map {
                ($0, registry.makeCounter(descriptor: recoveries, labels: [("result", $0.rawValue)]))
            })
        self.answersScrubbed = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "answers_scrubbed", unitName: "total",
                helpText: "Upstream answers in which the sidecar replaced its own access_token (or a secret)."))
        // Present from the start, so dashboards and alerts see zeros rather than nothing.
        for result in ["success", "error", "config_error"] { tokenRefreshes(result).increment(by: Int64(0)) }
        tokenExpiresIn.set(Double(0))
        for result in ["success", "error"] { whitelistReloads(result).increment(by: Int64(0)) }
    }

    // MARK: Token

    private static var tokenRefreshesName: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "wxsidecar", metricName: "token_refreshes", unitName: "total",
        helpText: "Token fetches by result: success, error (transient), config_error.")
    }

    /// `wxsidecar_token_refreshes_total{result}`.
    public func tokenRefreshes(_ result: String) -> Counter {
        registry.makeCounter(descriptor: Self.tokenRefreshesName, labels: [("result", result)])
    }

    /// `wxsidecar_token_expires_in_seconds`: seconds of life left in the held token (0 when none).
    public var tokenExpiresIn: Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "wxsidecar", metricName: "token_expires_in", unitName: "seconds",
            helpText: "Seconds until the held access_token expires; 0 when no valid token is held."))
    }

    /// `wxsidecar_token_file_writes_total{result}`: `written`, `error`, `removed`.
    public func tokenFileWrites(_ result: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "token_file_writes", unitName: "total",
                helpText: "Token file replacements by result: written, error, removed."),
            labels: [("result", result)])
    }

    /// `wxsidecar_token_forced_refreshes_total{result}`: `done`, `too_soon`, `daily_limit`.
    public func tokenForcedRefreshes(_ result: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "token_forced_refreshes", unitName: "total",
                helpText: "Forced token refreshes for 40001 recovery, by result: done, too_soon, daily_limit."),
            labels: [("result", result)])
    }

    /// The exposition text.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
