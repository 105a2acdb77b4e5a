// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import Prometheus
import Synchronization

/// What every request on the listener goes through, whichever route serves it: its `x-openapi-seqid`, the caller
/// gate, the limit on requests served at once, and at its end the metrics and one access-log line (never a token).
final class RequestLedger: Sendable {
    let gate: CallerGate
    let maxConcurrentRequests: Int
    let metrics: SidecarMetrics
    let logger: Logger
    private let seqids = SeqIDGenerator()
    private let inFlight = Atomic<Int>(0)

    init(gate: CallerGate, maxConcurrentRequests: Int, metrics: SidecarMetrics, logger: Logger) {
        self.gate = gate
        self.maxConcurrentRequests = maxConcurrentRequests
        self.metrics = metrics
        self.logger = logger
    }

    /// Requests counted in and not yet out.
    var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// A request just read: its seqid and start time. Pair with ``leave()``.
    struct Entry: Sendable {
        let seqid: String
        let started: ContinuousClock.Instant
        /// Why the request is refused before any other check, if it is.
        let refusal: SidecarAnswer?
        /// The appids the caller's key may use (`nil`: every account).
        var grant: Set<String>? = nil
    }

    /// Counts a request in and checks the caller (gate first, then the limit on requests at once). The liveness
    /// and readiness probes are never refused by the limit: a busy sidecar is alive.
    func enter(remote: SocketAddress?, sentKey: @autoclosure () -> String?, rawTarget: String) -> Entry {
        let started = ContinuousClock.now
        let admitted = inFlight.add(1, ordering: .relaxed).newValue <= maxConcurrentRequests
            || CallerGate.isProbe(rawTarget)
        var refusal: SidecarAnswer?
        var grant: Set<String>?
        if !gate.isOpen {
            switch gate.check(remote: remote, sentKey: sentKey(), rawTarget: rawTarget) {
            case .refused(let refused):
                metrics.callersRefused(refused.label).increment()
                refusal = refused
            case .admitted(let granted):
                grant = granted
            }
        }
        if refusal == nil && !admitted {
            metrics.callersRefused("too_many_requests").increment()
            refusal = .tooManyRequests(limit: maxConcurrentRequests)
        }
        return Entry(seqid: seqids.next(), started: started, refusal: refusal, grant: grant)
    }

    /// Counts a request out once its answer is written (or its connection gone).
    func leave() {
        inFlight.subtract(1, ordering: .relaxed)
    }

    /// The metrics and the access-log line of an answered request.
    func record(_ outcome: CallOutcome, method: String, rawTarget: String, entry: Entry) {
        let elapsed = ContinuousClock.now - entry.started
        metrics.requests(appid: outcome.appid ?? "", path: outcome.pathLabel, status: outcome.status).increment()
        metrics.requestDuration.recordNanoseconds(elapsed.nanoseconds)
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "http.request.method": "\(method)",
            "url.path": "\(outcome.path ?? Printable.clip(String(rawTarget.prefix { $0 != "?" }), to: 120))",
            "http.response.status_code": "\(outcome.status)",
            "wxsidecar.duration_ms": "\(Double(elapsed.nanoseconds / 1000) / 1000)",
            "wxsidecar.seqid": "\(entry.seqid)",
        ]
        if let errcode = outcome.errcode { metadata["wxsidecar.errcode"] = "\(errcode)" }
        if let label = outcome.answerLabel { metadata["wxsidecar.answer"] = "\(label)" }
        if outcome.retriedWithNewToken { metadata["wxsidecar.token.retried"] = "true" }
        if let appid = outcome.appid { metadata["wxsidecar.appid"] = "\(appid)" }
        if let details = outcome.details { metadata.merge(details) { first, _ in first } }
        logger.info("request", metadata: metadata)
    }
}
