// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// `GET /cgi-bin/ticket/getticket?type=jsapi|wx_card` for a ticket the account keeps, answered from the sidecar's
/// copy in WeChat's exact shape, so SDK code that fetches tickets itself works unchanged and never spends the small
/// ticket quota (or gets a ticket other than the one the JS-SDK signature endpoint signs with).
enum TicketAnswer {
    static let path = "/cgi-bin/ticket/getticket"

    /// The answer, or `nil` when the call is not such a request (it is forwarded as usual).
    static func answer(method: String, target: RequestTarget, tickets: TicketState) -> SidecarAnswer? {
        guard target.path == path, method == "GET" || method == "POST",
            let type = QueryRewriter.firstValue(of: "type", in: target.query),
            let kind = SidecarConfiguration.TicketKind(rawValue: String(type)), tickets.keeps(kind)
        else { return nil }
        let now = WallClock.now()
        guard let ticket = tickets.valid(kind, at: now) else {
            return SidecarAnswer(
                status: 503, errcode: -1,
                errmsg: "system busy: the sidecar holds no valid \(kind.rawValue) ticket yet (see /-/status); retry shortly",
                label: "ticket_not_ready")
        }
        let expiresIn = max(1, Int(ticket.remaining(at: now).rounded(.down)))
        var answer = SidecarAnswer(status: 200, errcode: 0, errmsg: "ok", label: "ticket_cached")
        answer.fullBody = #"{"errcode":0,"errmsg":"ok","ticket":""# + ticket.value + #"","expires_in":"# + String(expiresIn) + "}"
        return answer
    }
}
