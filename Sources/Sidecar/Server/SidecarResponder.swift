// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1

/// Hummingbird's responder: answers the `/-/…` admin endpoints, which ``ProxyRequestHandler`` passes on to it
/// (every other request is a WeChat API call, served by that handler on the event loop). Checked, counted and
/// logged by the same ``RequestLedger`` as API calls.
struct SidecarResponder: Sendable {
    let admin: AdminEndpoints
    let ledger: RequestLedger

    static let seqIDHeader = HTTPField.Name("x-openapi-seqid")!
    static let targetHeader = HTTPField.Name(RequestTargetRecorder.headerName)!

    func respond(to request: Request, writer: consuming ResponseWriter, remote: SocketAddress?) async throws {
        let rawTarget = request.headers[Self.targetHeader] ?? request.uri.string
        let keyHeader = HTTPField.Name(ledger.gate.headerName)
        let entry = ledger.enter(
            remote: remote, sentKey: keyHeader.flatMap { request.headers[$0] }, rawTarget: rawTarget)
        defer { ledger.leave() }
        let outcome: ProxyForwarder.Outcome
        if let refusal = entry.refusal {
            outcome = .answer(refusal, pathLabel: "refused", path: nil)
        } else {
            outcome = admin.respond(method: request.method.rawValue, target: rawTarget)
        }
        var fields = HTTPFields()
        for (name, value) in outcome.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        fields[Self.seqIDHeader] = entry.seqid
        fields[.contentLength] = String(outcome.body.readableBytes)
        ledger.record(outcome, method: request.method.rawValue, rawTarget: rawTarget, entry: entry)
        try await writer.write(
            response: HTTPResponse(status: .init(code: outcome.status), headerFields: fields),
            body: .init(byteBuffer: outcome.body))
    }
}
