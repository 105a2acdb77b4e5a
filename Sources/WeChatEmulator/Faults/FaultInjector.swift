// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns a fault into what the client experiences.
enum FaultInjector {
    /// How long a reset-mid-body fault waits after sending the partial body, so the bytes reach the client
    /// before the RST (an RST discards whatever is still queued).
    static let settleTime = Duration.milliseconds(50)

    /// Applies `fault` to one exchange. `normal` produces the normal reply when the fault needs it.
    ///
    /// Throws `ConnectionBreaker.Broken` after dropping the connection, and when the delay is cancelled.
    static func apply(
        _ fault: EmulatorFault, to exchange: Exchange, channel: any Channel, normal: () async -> Reply
    ) async throws -> Response {
        if fault.delay > .zero {
            try await delay(fault.delay, exchange: exchange, channel: channel)
        }
        switch fault.action {
        case .none:
            return finish(await normal(), exchange)
        case .httpStatus(let code, let body):
            let status = (100...999).contains(code) ? code : 500
            let type = body.hasPrefix("{") ? Reply.jsonContentType : "text/plain; charset=utf-8"
            return finish(Reply.bytes(Array(body.utf8), contentType: type, status: .init(code: status)), exchange)
        case .errcode(let code, let message):
            return finish(errcodeReply(code: code, message: message, exchange: exchange), exchange)
        case .dropConnection:
            exchange.logger.debug("fault: dropping the connection")
            await ConnectionBreaker.drop(channel)
            throw ConnectionBreaker.Broken()
        case .resetMidBody:
            let reply = await normal()
            exchange.knobs.withState { state, _ in state.count(errcode: reply.errcode) }
            exchange.logger.debug("fault: resetting the connection mid-body")
            return resetMidBody(reply, requestID: exchange.requestID, channel: channel)
        }
    }

    // MARK: Helpers

    /// Sleeps `duration`, or less if the caller hangs up (then throws `ConnectionBreaker.Broken`), counting the
    /// request in ``EmulatorStats/delayedInFlight`` meanwhile.
    private static func delay(_ duration: Duration, exchange: Exchange, channel: any Channel) async throws {
        exchange.knobs.withState { state, _ in state.stats.delayedInFlight += 1 }
        defer { exchange.knobs.withState { state, _ in state.stats.delayedInFlight -= 1 } }
        if try await HangUpRace.sleep(duration, unlessClosed: channel) { throw ConnectionBreaker.Broken() }
    }

    private static func finish(_ reply: Reply, _ exchange: Exchange) -> Response {
        exchange.knobs.withState { state, _ in state.count(errcode: reply.errcode) }
        return reply.response(requestID: exchange.requestID)
    }

    private static func errcodeReply(code: Int, message: String?, exchange: Exchange) -> Reply {
        if let message {
            return Reply.verbatimError(code: code, message: message)
        }
        if code == 40164 || code == 61004, let ip = exchange.request.remoteIP {
            return exchange.error(EmulatorErrcode(code: code, message: "invalid ip \(ip), not in whitelist"))
        }
        return exchange.error(EmulatorErrcode(code: code))
    }

    /// The reply's head with its full Content-Length, the first half of its body, then a TCP RST.
    private static func resetMidBody(_ reply: Reply, requestID: String, channel: any Channel) -> Response {
        var response = reply.response(requestID: requestID)
        let full = reply.body
        let length = max(full.readableBytes, 2)
        let half = full.getSlice(at: full.readerIndex, length: full.readableBytes / 2) ?? ByteBuffer()
        response.body = ResponseBody(contentLength: length) { writer in
            try await writer.write(half)
            try await Task.sleep(for: settleTime)
            await ConnectionBreaker.reset(channel)
            throw ConnectionBreaker.Broken()
        }
        return response
    }
}
