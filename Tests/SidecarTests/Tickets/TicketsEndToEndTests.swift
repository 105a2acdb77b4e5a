// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Crypto
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// An official account's JS-SDK tickets, end to end against the emulator over TLS: kept fresh, answered from the
/// cache, signed for `wx.config` without leaving the sidecar, recovered through the token on 40001.
@Suite struct TicketsEndToEndTests {
    static let news = "wxfedcba9876543210"

    /// A mini program (`main`) and an official account (`news`) with a jsapi ticket file; getticket whitelisted.
    static func options() -> SidecarHarness.Options {
        var options = SidecarHarness.Options()
        options.whitelist += "/cgi-bin/ticket/getticket\n"
        options.otherAccounts = [
            .init(name: "news", appid: news, extra: ["    kind: officialaccount", "    ticket_files: { jsapi: \"TICKET_FILE\" }"])
        ]
        return options
    }

    static func withNews(_ body: (SidecarHarness, ServedAccount, String) async throws -> Void) async throws {
        let folder = try TemporaryDirectory(prefix: "wxsidecar-tickets")
        defer { folder.remove() }
        let ticketFile = folder.path("news/jsapi_ticket")
        var options = options()
        options.otherAccounts[0].extra = options.otherAccounts[0].extra.map {
            $0.replacingOccurrences(of: "TICKET_FILE", with: ticketFile)
        }
        try await withSidecar(options) { harness in
            let news = try #require(harness.app.accounts.account(appid: Self.news))
            try await eventually("news's tickets") {
                news.tickets.valid(.jsapi) != nil && news.tickets.valid(.wxCard) != nil
            }
            try await body(harness, news, ticketFile)
        }
    }

    @Test func ticketsAreKeptInTheirFileAndAnsweredFromTheCacheInWeChatsShape() async throws {
        try await Self.withNews { harness, news, ticketFile in
            let jsapi = try #require(news.tickets.valid(.jsapi))
            #expect(jsapi.value == harness.emulator.knobs.currentTicket(.jsapi, appid: Self.news)?.value)
            try await eventually("the ticket file") { (try? String(contentsOfFile: ticketFile, encoding: .utf8)) == jsapi.value }
            let fetched = harness.emulator.knobs.stats.requests(to: "/cgi-bin/ticket/getticket")
            for type in ["jsapi", "wx_card"] {
                let answer = try await harness.send("GET", "/cgi-bin/ticket/getticket?type=\(type)&from_appid=\(Self.news)")
                #expect(answer.status == 200)
                let kind = try #require(SidecarConfiguration.TicketKind(rawValue: type))
                let held = try #require(news.tickets.valid(kind))
                let pattern = #"^\{"errcode":0,"errmsg":"ok","ticket":""# + held.value + #"","expires_in":(\d+)\}$"#
                #expect(answer.text.range(of: pattern, options: .regularExpression) != nil, "\(answer.text)")
                let expiresIn = try #require((answer.json["expires_in"] as? NSNumber)?.intValue)
                #expect(expiresIn > 7000 && expiresIn <= 7200)
            }
            #expect(harness.emulator.knobs.stats.requests(to: "/cgi-bin/ticket/getticket") == fetched, "the upstream was asked")
            // The mini program keeps no ticket: its getticket goes to WeChat as any whitelisted call.
            let forwarded = try await harness.send("GET", "/cgi-bin/ticket/getticket?type=jsapi")
            #expect(forwarded.status == 200)
            #expect(harness.emulator.knobs.stats.requests(to: "/cgi-bin/ticket/getticket") == fetched + 1)
            // Status shows each ticket's fingerprint and expiry, never the ticket.
            let status = try await harness.send("GET", "/-/status")
            #expect(status.text.contains(jsapi.fingerprint))
            #expect(!status.text.contains(jsapi.value))
        }
    }

    @Test func theJSSDKSignatureIsWeChatsAlgorithmOverTheHeldTicket() async throws {
        try await Self.withNews { harness, news, _ in
            let page = "https://shop.example.com/item?id=7&from=menu"
            let answer = try await harness.send(
                "POST", "/-/jssdk/signature", body: #"{"url":"\#(page)#section","appid":"\#(Self.news)"}"#)
            #expect(answer.status == 200, "\(answer.text)")
            let ticket = try #require(news.tickets.valid(.jsapi))
            let json = answer.json
            #expect(json["appId"] as? String == Self.news)
            let nonce = try #require(json["nonceStr"] as? String)
            let timestamp = try #require((json["timestamp"] as? NSNumber)?.intValue)
            #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 60)
            // Recomputed here from the appendix's rule, the fragment dropped.
            let string1 = "jsapi_ticket=\(ticket.value)&noncestr=\(nonce)&timestamp=\(timestamp)&url=\(page)"
            let expected = Insecure.SHA1.hash(data: Array(string1.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(json["signature"] as? String == expected)
            #expect(!answer.text.contains(ticket.value))
        }
    }

    @Test func aBadSignatureRequestGetsAClearErrorAndTheDaemonKeepsServing() async throws {
        try await Self.withNews { harness, _, _ in
            let cases: [(body: String, status: Int, mentions: String)] = [
                (#"{"appid":"\#(Self.news)"}"#, 400, "page's URL"),
                (#"{"url":"ftp://x.example.com/","appid":"\#(Self.news)"}"#, 400, "http://"),
                ("not json", 400, "JSON body"),
                (#"{"url":"https://x.example.com/"}"#, 400, "keeps no jsapi ticket"),
                (#"{"url":"https://x.example.com/","appid":"wx9999999999999999"}"#, 403, "not an account"),
            ]
            for item in cases {
                let answer = try await harness.send("POST", "/-/jssdk/signature", body: item.body)
                #expect(answer.status == item.status, "\(item.body): \(answer.text)")
                #expect(answer.text.contains(item.mentions), "\(item.body): \(answer.text)")
            }
            #expect(try await harness.send("GET", "/-/jssdk/signature").status == 405)
            #expect(try await harness.checkPasses())
        }
    }

    @Test func aTicketIsRefreshedOnItsScheduleOnceWeChatRotatesIt() async throws {
        try await Self.withNews { harness, news, ticketFile in
            guard let keeper = news.ticketKeeper else { throw TimedOut(what: "a ticket keeper") }
            // Tickets of 305 s with the platform's 300 s rotation window: WeChat has a new one 5 s after issue, and
            // the keeper schedules its next fetch just past that point.
            harness.emulator.knobs.setTicketLifetime(305)
            harness.emulator.knobs.invalidateTickets(appid: Self.news)
            let first = try #require(await keeper.refresh(.jsapi))
            #expect(first.remaining(at: first.fetchedAt) <= 305)
            try await eventually("the scheduled refresh to bring the rotated ticket", timeout: .seconds(20)) {
                news.tickets.valid(.jsapi).map { $0.value != first.value } ?? false
            }
            let second = try #require(news.tickets.valid(.jsapi))
            #expect(second.value == harness.emulator.knobs.currentTicket(.jsapi, appid: Self.news)?.value)
            try await eventually("the ticket file") { (try? String(contentsOfFile: ticketFile, encoding: .utf8)) == second.value }
            let cached = try await harness.send("GET", "/cgi-bin/ticket/getticket?type=jsapi&from_appid=\(Self.news)")
            #expect(cached.json["ticket"] as? String == second.value)
        }
    }

    @Test func aTicketFailureKeepsTheLastGoodTicketAndCountsIt() async throws {
        try await Self.withNews { harness, news, _ in
            guard let keeper = news.ticketKeeper else { throw TimedOut(what: "a ticket keeper") }
            let held = try #require(news.tickets.valid(.jsapi))
            harness.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/ticket/getticket", action: .errcode(-1, errmsg: "system error")))
            #expect(await keeper.refresh(.jsapi) == nil)
            #expect(news.tickets.valid(.jsapi) == held)
            #expect(news.tickets.snapshot(.jsapi).lastResult == "error")
            #expect(harness.metric(#"wxsidecar_ticket_refreshes_total{appid="wxfedcba9876543210",ticket="jsapi",result="error"}"#) >= 1)
            let cached = try await harness.send("GET", "/cgi-bin/ticket/getticket?type=jsapi&from_appid=\(Self.news)")
            #expect(cached.json["ticket"] as? String == held.value)
        }
    }

    @Test func a40001OnGetticketIsRecoveredThroughTheTokenAndTriedAgain() async throws {
        try await Self.withNews { harness, news, _ in
            guard let keeper = news.ticketKeeper else { throw TimedOut(what: "a ticket keeper") }
            let tokenBefore = try #require(news.tokens.validToken())
            harness.emulator.knobs.invalidateTokens(appid: Self.news)
            harness.emulator.knobs.invalidateTickets(appid: Self.news)
            let ticket = try #require(await keeper.refresh(.jsapi))
            #expect(ticket.value == harness.emulator.knobs.currentTicket(.jsapi, appid: Self.news)?.value)
            #expect(news.tokens.validToken()?.value != tokenBefore.value)
            // One recovery, through the token's own path (a forced refresh, or a fetch that already returned a new one).
            let recovered = harness.metric(#"wxsidecar_token_recoveries_total{appid="wxfedcba9876543210",result="forced"}"#)
                + harness.metric(#"wxsidecar_token_recoveries_total{appid="wxfedcba9876543210",result="fetched_newer"}"#)
            #expect(recovered == 1)
            // main's token was not touched.
            #expect(harness.emulator.knobs.check(token: try #require(harness.app.tokens.validToken()).value) == .valid)
        }
    }
}
