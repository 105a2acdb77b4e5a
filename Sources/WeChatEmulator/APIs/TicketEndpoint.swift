// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Logging
import NIOCore

/// `GET /cgi-bin/ticket/getticket?access_token=..&type=jsapi` (or `type=wx_card`): the JS-SDK ticket of the
/// token's account, `{"errcode":0,"errmsg":"ok","ticket":"..","expires_in":N}` in exactly that order.
///
/// Each (appid, type) has one current ticket: it comes back with its remaining `expires_in` until it is within
/// `overlap` of expiry, then a new one is issued (rules in `TicketBook`); its lifetime is the `ticketLifetime`
/// setting. Errors (after the token check): non-GET → 43002; `type` missing or not `jsapi`/`wx_card` → 40097.
enum TicketEndpoint {
    /// The path served.
    static let path = "/cgi-bin/ticket/getticket"

    /// Answers one request (after the token check, which set `exchange.appid`).
    static func respond(to exchange: Exchange) -> Reply {
        guard exchange.request.method == "GET" else {
            return exchange.error(.requireGET)
        }
        guard let type = exchange.request.query["type"].flatMap(TicketType.init(rawValue:)) else {
            return exchange.error(.invalidArgs)
        }
        let (ticket, event) = exchange.knobs.withState { state, now in
            let (ticket, event) = state.withAccount(exchange.appid) { $0.tickets.ticket(type, at: now) }
            state.stats.ticketGrants[type.rawValue, default: 0] += 1
            if event != .reused { state.stats.ticketsIssued += 1 }
            return (ticket, event)
        }
        exchange.logger.debug(
            "\(type.rawValue) ticket \(event)",
            metadata: ["wxsidecar.ticket.fingerprint": "\(TokenGenerator.fingerprint(ticket.value))"])
        return body(ticket)
    }

    /// The success answer. Written by hand because WeChat's field order (errcode, errmsg, ticket, expires_in)
    /// is not alphabetical, and `Reply.json` sorts keys; a ticket is `[A-Za-z0-9_-]` only, so nothing needs
    /// escaping.
    static func body(_ ticket: IssuedTicket) -> Reply {
        let text = #"{"errcode":0,"errmsg":"ok","ticket":"\#(ticket.value)","expires_in":\#(ticket.expiresIn)}"#
        return Reply(status: .ok, headers: [.contentType: Reply.jsonContentType], body: ByteBuffer(string: text), errcode: 0)
    }
}
