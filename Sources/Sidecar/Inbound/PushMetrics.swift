// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus

/// One account's push series, every one labelled `appid` (bounded by the configuration) and, where labelled
/// further, by bounded values: refusal reasons (``PushRefusal/label``), forward results (``AppAnswer/label``),
/// reply kinds (``PushReply/kind``). Made once per account; the fixed series exist from the start, at zero.
struct PushMetrics: Sendable {
    let appid: String
    /// `wxsidecar_pushes_received_total{appid}`: requests on the account's push path.
    let received: Counter
    /// `wxsidecar_pushes_verified_total{appid}`: pushes that passed every check (URL verifications included).
    let verified: Counter
    /// `wxsidecar_pushes_deduplicated_total{appid}`: WeChat's retries joined to a message already handed over.
    let deduplicated: Counter
    /// `wxsidecar_push_app_duration_seconds{appid}`: how long the app took to answer.
    let appDuration: DurationHistogram
    private let refusedCounters: MetricFamily<String, Counter>
    private let forwardedCounters: MetricFamily<String, Counter>
    private let replyCounters: MetricFamily<String, Counter>

    init(appid: String, registry: PrometheusCollectorRegistry) {
        self.appid = appid
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "wxsidecar", metricName: name, unitName: "total", helpText: help),
                labels: [("appid", appid)])
        }
        func family(_ name: String, _ label: String, _ help: String) -> MetricFamily<String, Counter> {
            MetricFamily { value in
                registry.makeCounter(
                    descriptor: MetricNameDescriptor(namespace: "wxsidecar", metricName: name, unitName: "total", helpText: help),
                    labels: [("appid", appid), (label, value)])
            }
        }
        received = counter("pushes_received", "Requests on the account's push path, before any check.")
        verified = counter("pushes_verified", "Pushes (and URL verifications) that passed every check.")
        deduplicated = counter("pushes_deduplicated", "WeChat's retries of a message already handed to the app, which did not reach it again.")
        refusedCounters = family("pushes_refused", "reason",
            "Pushes refused and never forwarded, by reason: bad_signature, stale, bad_appid, too_large, doctype, bad_xml, …")
        forwardedCounters = family("pushes_forwarded", "result",
            "Pushes handed to the app, by result: reply, no_reply, unreachable, status_5xx, status_4xx, timeout, …")
        replyCounters = family("push_replies", "kind",
            "Answers to WeChat by kind: a reply's MsgType, or why success was sent (success, timeout, app_error, invalid).")
        appDuration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "wxsidecar", metricName: "push_app_duration", unitName: "seconds",
                helpText: "Time the app took to answer a forwarded push."),
            labels: [("appid", appid)],
            buckets: [
                .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .seconds(2), .seconds(4.5), .seconds(10), .seconds(30),
            ])
        for counter in [received, verified, deduplicated] { counter.increment(by: Int64(0)) }
    }

    /// `wxsidecar_pushes_refused_total{appid,reason}`.
    func refused(_ reason: String) -> Counter { refusedCounters[reason] }
    /// `wxsidecar_pushes_forwarded_total{appid,result}`.
    func forwarded(_ result: String) -> Counter { forwardedCounters[result] }
    /// `wxsidecar_push_replies_total{appid,kind}`.
    func replies(_ kind: String) -> Counter { replyCounters[kind] }
}
