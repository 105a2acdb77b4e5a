// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Prometheus
import NIOCore
import SidecarCore
import Synchronization

/// Answers every request on the listener: `/-/…` admin endpoints, everything else a WeChat API call.
/// Every answer carries `x-openapi-seqid`, is counted, and gets one access-log line (never a token).
/// Callers are checked first (``CallerGate``), and at most `limits.max_concurrent_requests` are served at once.
struct SidecarResponder: Sendable {
    let forwarder: ProxyForwarder
    let admin: AdminEndpoints
    let metrics: SidecarMetrics
    let gate: CallerGate
    let maxConcurrentRequests: Int
    let seqids = SeqIDGenerator()
    let inFlight = InFlightCounter()
    let logger: Logger

    static let seqIDHeader = HTTPField.Name("x-openapi-seqid")!
    static let targetHeader = HTTPField.Name(RequestTargetRecorder.headerName)!

    func respond(to request: Request, writer: consuming ResponseWriter, remote: SocketAddress?) async throws {
        let started = ContinuousClock.now
        let seqid = seqids.next()
        var request = request
        let rawTarget = request.headers[Self.targetHeader] ?? request.uri.string
        let admitted = inFlight.enter(limit: maxConcurrentRequests)
        defer { inFlight.leave() }
        var outcome: ProxyForwarder.Outcome
        if let refusal = gate.isOpen ? nil : gate.check(remote: remote, headers: request.headers, rawTarget: rawTarget) {
            metrics.callersRefused(refusal.label).increment()
            outcome = forwarder.answer(refusal, pathLabel: "refused", path: nil)
        } else if !admitted {
            metrics.callersRefused("too_many_requests").increment()
            outcome = forwarder.answer(.tooManyRequests(limit: maxConcurrentRequests), pathLabel: "refused", path: nil)
        } else if rawTarget.hasPrefix(AdminEndpoints.prefix) {
            outcome = admin.respond(method: request.method, target: rawTarget)
        } else {
            outcome = await forwarder.handle(&request, rawTarget: rawTarget)
        }
        var head = HTTPResponse(status: .init(code: outcome.status), headerFields: outcome.headers)
        head.headerFields[Self.seqIDHeader] = seqid
        head.headerFields[.contentLength] = String(outcome.body.readableBytes)
        let elapsed = ContinuousClock.now - started
        record(outcome, method: request.method, rawTarget: rawTarget, seqid: seqid, elapsed: elapsed)
        try await writer.write(response: head, body: .init(byteBuffer: outcome.body))
    }

    private func record(
        _ outcome: ProxyForwarder.Outcome, method: HTTPRequest.Method, rawTarget: String, seqid: String,
        elapsed: Duration
    ) {
        metrics.requests(path: outcome.pathLabel, status: outcome.status).increment()
        metrics.requestDuration.recordNanoseconds(elapsed.nanoseconds)
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "http.request.method": "\(method.rawValue)",
            "url.path": "\(outcome.path ?? Printable.clip(String(rawTarget.prefix { $0 != "?" }), to: 120))",
            "http.response.status_code": "\(outcome.status)",
            "wxsidecar.duration_ms": "\(Double(elapsed.nanoseconds / 1000) / 1000)",
            "wxsidecar.seqid": "\(seqid)",
        ]
        if let errcode = outcome.errcode { metadata["wxsidecar.errcode"] = "\(errcode)" }
        if let label = outcome.answerLabel { metadata["wxsidecar.answer"] = "\(label)" }
        if outcome.retriedWithNewToken { metadata["wxsidecar.token.retried"] = "true" }
        logger.info("request", metadata: metadata)
    }
}

/// Requests being served now.
final class InFlightCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts the request in; `false` when that makes more than `limit` (it must still call ``leave()``).
    func enter(limit: Int) -> Bool {
        count.add(1, ordering: .relaxed).newValue <= limit
    }

    func leave() {
        count.subtract(1, ordering: .relaxed)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
