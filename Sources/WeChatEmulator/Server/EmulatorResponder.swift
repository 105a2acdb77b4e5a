// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import Logging
import NIOCore

/// The emulator's one responder: reads the whole request, counts it, applies a fault if one matches, and routes
/// it to a token endpoint, a modelled API, the echo, or the knobs.
struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorRequestContext

    /// The largest request body accepted (the echo and the proxy tests send large uploads).
    static let maxBodyBytes = 80 << 20

    let knobs: EmulatorKnobs
    let configuration: EmulatorConfiguration
    let logger: Logger

    // MARK: Responding

    func respond(to request: Request, context: Context) async throws -> Response {
        let requestID = knobs.nextRequestID()
        var logger = self.logger
        logger[metadataKey: "wxsidecar.emulator.request_id"] = "\(requestID)"
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBodyBytes)
        } catch {
            let tooLarge = Reply.json(["error": "request body over \(Self.maxBodyBytes) bytes"], errcode: nil)
            var response = tooLarge.response(requestID: requestID)
            response.status = .contentTooLarge
            return response
        }
        let exchange = Exchange(
            request: EmulatorRequest(
                method: request.method, target: request.head.path ?? "/", authority: request.head.authority,
                headers: request.headers, body: body, remoteIP: context.channel.remoteAddress?.ipAddress),
            knobs: knobs, configuration: configuration, requestID: requestID, logger: logger)
        let path = exchange.request.path
        if path.hasPrefix(KnobEndpoints.prefix) {
            return KnobEndpoints.respond(to: exchange).response(requestID: requestID)
        }
        // The query is never logged: it may hold the secret or a token.
        logger.debug("request", metadata: ["http.request.method": "\(request.method)", "url.path": "\(path)"])
        let caller = RequestAccount(exchange.request)
        let fault = knobs.withState { state, _ in
            state.count(path: path, appid: state.appid(of: caller))
            let fault = state.faults.take(for: path)
            if fault != nil { state.stats.faultsApplied += 1 }
            return fault
        }
        if let fault {
            return try await FaultInjector.apply(fault, to: exchange, channel: context.channel) {
                Self.route(exchange)
            }
        }
        let started = knobs.now
        let reply = Self.route(exchange)
        knobs.withState { state, now in
            state.count(errcode: reply.errcode)
            if let errcode = reply.errcode, errcode != 0 {
                state.rids.record(requestID, exchange.ridRecord(of: reply, startedAt: started, endedAt: now))
            }
        }
        if let errcode = reply.errcode, errcode != 0 {
            logger.debug("answered errcode", metadata: ["wxsidecar.wechat.errcode": "\(errcode)"])
        }
        return reply.response(requestID: requestID)
    }

    // MARK: Routing

    /// The normal answer: token endpoints first, then the `access_token` check, then the modelled APIs or the echo;
    /// an answer past the token check carries the token's appid in `x-emulator-appid`.
    static func route(_ exchange: Exchange) -> Reply {
        switch exchange.request.path {
        case ClassicTokenEndpoint.path:
            return ClassicTokenEndpoint.respond(to: exchange)
        case StableTokenEndpoint.path:
            return StableTokenEndpoint.respond(to: exchange)
        default:
            break
        }
        var exchange = exchange
        do {
            try exchange.authorize()
        } catch {
            return exchange.error(error)
        }
        var reply = SecuredCall.respond(to: exchange, api: api) ?? api(exchange)
        reply.headers[EmulatorHeaders.appIDField] = exchange.appid
        return reply
    }

    /// The answer of a modelled API, or the echo, once the token check passed.
    private static func api(_ exchange: Exchange) -> Reply {
        switch exchange.request.path {
        case MsgSecCheckEndpoint.path:
            return MsgSecCheckEndpoint.respond(to: exchange)
        case ApiDomainIPEndpoint.path:
            return ApiDomainIPEndpoint.respond(to: exchange)
        case RidEndpoint.path:
            return RidEndpoint.respond(to: exchange)
        case let path where path.hasPrefix(RedirectEndpoint.prefix):
            return RedirectEndpoint.respond(to: exchange)
        case WxaCodeEndpoint.path:
            return WxaCodeEndpoint.respond(to: exchange)
        case CloudFunctionEndpoint.path:
            return CloudFunctionEndpoint.respond(to: exchange)
        case TicketEndpoint.path:
            return TicketEndpoint.respond(to: exchange)
        default:
            return EchoEndpoint.respond(to: exchange)
        }
    }
}
