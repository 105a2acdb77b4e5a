// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus

/// The series of the way to WeChat, labelled by configured URL only, all made at start:
/// `wxsidecar_upstream_in_use{url}` (1 for the URL calls go to, 0 for the others) and
/// `wxsidecar_upstream_fallbacks_total{from,to}` (calls retried on `to` because `from` could not be reached; a
/// call only ever falls back to a URL after the one it tried).
struct UpstreamMetrics: Sendable {
    /// One gauge per URL, in order.
    private let inUseGauges: [Gauge]
    /// `fallbacks[from][to]` for `from < to`.
    private let fallbacks: [[Int: Counter]]

    init(urls: [String], registry: PrometheusCollectorRegistry) {
        let inUseName = MetricNameDescriptor(
            namespace: "wxsidecar", metricName: "upstream_in_use", unitName: "",
            helpText: "1 for the upstream URL calls go to (the one reached last), 0 for the other configured URLs.")
        inUseGauges = urls.map { registry.makeGauge(descriptor: inUseName, labels: [("url", $0)]) }
        let fallbackName = MetricNameDescriptor(
            namespace: "wxsidecar", metricName: "upstream_fallbacks", unitName: "total",
            helpText: "Calls sent to the next upstream URL because the one before could not be reached (nothing sent).")
        fallbacks = urls.indices.map { from in
            Dictionary(uniqueKeysWithValues: urls.indices.filter { $0 > from }.map { to in
                (to, registry.makeCounter(descriptor: fallbackName, labels: [("from", urls[from]), ("to", urls[to])]))
            })
        }
        for counter in fallbacks.flatMap(\.values) { counter.increment(by: Int64(0)) }
        inUse(0, of: urls.count)
    }

    /// Marks `index` as the URL in use.
    func inUse(_ index: Int, of count: Int) {
        for (position, gauge) in inUseGauges.enumerated() { gauge.set(Double(position == index ? 1 : 0)) }
    }

    /// The counter of calls that fell back from `from` to `to`.
    func fallback(from: Int, to: Int) -> Counter? {
        fallbacks[from][to]
    }
}

extension SidecarMetrics {
    /// The upstream series for `urls` (made once, by ``UpstreamRoutes``).
    func upstream(urls: [String]) -> UpstreamMetrics {
        UpstreamMetrics(urls: urls, registry: registry)
    }
}
