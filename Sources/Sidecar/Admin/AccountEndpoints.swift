// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import SidecarCore

/// The admin endpoints that act for one account: `POST /-/jssdk/signature` and `POST /-/token/refresh`. Both take
/// a small JSON body with an optional `"appid"` (the default account without one); a caller key bound to other
/// accounts is refused as on a proxied call. Neither answer ever carries a token or a ticket.
struct AccountEndpoints: Sendable {
    let accounts: AccountDirectory

    /// The body of either request.
    struct Request: Decodable {
        var appid: String?
        var url: String?
        var stale: String?
    }

    private func decode(_ body: ByteBuffer) -> Request? {
        try? JSONDecoder().decode(Request.self, from: Data(body.readableBytesView))
    }

    // MARK: JS-SDK signature

    /// `{"url": "https://…#x", "appid"?}` → `{"appId","timestamp","nonceStr","signature"}` for `wx.config`, signed
    /// with the account's jsapi_ticket, which never leaves the sidecar.
    func signature(_ body: ByteBuffer, grant: Set<String>?, label: String) -> CallOutcome {
        guard let request = decode(body) else {
            return refusal(.badJSON(#"{"url": "https://…", "appid": "wx…" (optional)}"#), label: label)
        }
        let url: String
        switch JSSDKSignature.signedURL(request.url) {
        case .success(let page): url = page
        case .failure(let refusal): return self.refusal(.badRequest(refusal.message), label: label)
        }
        let account: ServedAccount
        switch accounts.choose(appid: request.appid.map { Substring($0) }, grant: grant) {
        case .success(let chosen): account = chosen
        case .failure(let refused): return self.refusal(refused, label: label)
        }
        guard account.tickets.keeps(.jsapi) else {
            return refusal(.badRequest("account \(account.name) (\(account.appid)) keeps no jsapi ticket: set kind: officialaccount or tickets: [jsapi] for it"), label: label)
        }
        guard let ticket = account.tickets.valid(.jsapi) else {
            return refusal(SidecarAnswer(status: 503, errcode: -1, errmsg: "system busy: no valid jsapi ticket yet for \(account.appid) (see /-/status); retry shortly", label: "ticket_not_ready"), label: label)
        }
        let timestamp = Int(WallClock.now())
        let nonce = JSSDKSignature.nonce()
        let signature = JSSDKSignature.signature(ticket: ticket.value, nonceStr: nonce, timestamp: timestamp, url: url)
        let json = #"{"appId":""# + account.appid + #"","timestamp":"# + String(timestamp) + #","nonceStr":""# + nonce
            + #"","signature":""# + signature + #""}"#
        return AdminEndpoints.json(200, json, label: label)
    }

    // MARK: On-demand refresh

    /// `{"stale": "<the token that failed>", "appid"?}`: refreshes only if that token is still the account's current
    /// one, through the token's recovery (single flight, probe, force budget), the file rewritten before it answers.
    func refresh(_ body: ByteBuffer, grant: Set<String>?, label: String) async -> CallOutcome {
        guard let request = decode(body), let stale = request.stale, !stale.isEmpty else {
            return refusal(.badJSON(#"{"stale": "<the access_token that failed>", "appid": "wx…" (optional)}"#), label: label)
        }
        let account: ServedAccount
        switch accounts.choose(appid: request.appid.map { Substring($0) }, grant: grant) {
        case .success(let chosen): account = chosen
        case .failure(let refused): return refusal(refused, label: label)
        }
        let before = account.tokens.current.token
        let current = before.map { CallerGate.constantTimeEqual(Array($0.value.utf8), Array(stale.utf8)) } ?? false
        let fresh = current ? await account.refresher.recover(from: stale) : nil
        let now = WallClock.now()
        let held = account.tokens.validToken(at: now)
        let outcome: String
        if !current {
            outcome = "not_current"
        } else if let fresh, fresh.value != stale {
            outcome = "refreshed"
        } else {
            outcome = "not_refreshed"
        }
        var json = #"{"errcode":0,"errmsg":"ok","appid":""# + account.appid + #"","result":""# + outcome + #"""#
        if let held {
            json += #","fingerprint":""# + held.fingerprint + #"","expires_in":"# + String(Int(held.remaining(at: now)))
        }
        return AdminEndpoints.json(200, json + "}", label: label)
    }

    private func refusal(_ answer: SidecarAnswer, label: String) -> CallOutcome {
        CallOutcome.answer(answer, pathLabel: "admin", path: label)
    }
}

extension SidecarAnswer {
    /// 400/40097 for an admin request body that is not the JSON the endpoint takes.
    static func badJSON(_ shape: String) -> SidecarAnswer {
        SidecarAnswer(status: 400, errcode: 40097, errmsg: "invalid args: send a JSON body like \(shape)", label: "bad_request")
    }

    /// 400/40097 with a reason.
    static func badRequest(_ reason: String) -> SidecarAnswer {
        SidecarAnswer(status: 400, errcode: 40097, errmsg: "invalid args: \(reason)", label: "bad_request")
    }
}
