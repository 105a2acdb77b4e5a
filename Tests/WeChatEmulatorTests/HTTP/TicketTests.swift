// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import TestSupport
import Testing
import WeChatEmulator

/// `GET /cgi-bin/ticket/getticket` over real sockets: WeChat's exact answer, one ticket per (appid, type) until it
/// nears expiry, the token check's errcodes, faults and knobs.
@Suite("JS-SDK tickets over HTTP")
struct TicketTests {
    static let other = EmulatorAccount(appid: "wxfedcba9876543210", secret: "other-secret")
    static let path = "/cgi-bin/ticket/getticket"

    @Test("getticket answers errcode, errmsg, ticket and expires_in, in that order", arguments: ["jsapi", "wx_card"])
    func shape(type: String) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.stableToken().token
            let response = try await emulator.get("\(Self.path)?access_token=\(token)&type=\(type)")
            #expect(response.status == 200)
            #expect(response.header("content-type")?.hasPrefix("application/json") == true)
            let pattern = #"^\{"errcode":0,"errmsg":"ok","ticket":"[A-Za-z0-9_-]{86}","expires_in":7200\}$"#
            #expect(response.text.range(of: pattern, options: .regularExpression) != nil, "\(response.text)")
            #expect(emulator.knobs.stats.ticketGrants(TicketType(rawValue: type)!) == 1)
            #expect(emulator.knobs.stats.requests(to: Self.path) == 1)
        }
    }

    @Test("the same ticket comes back with its remaining lifetime; jsapi and wx_card differ")
    func sameTicket() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.stableToken().token
            let first = try #require(try await emulator.ticket("jsapi", token: token))
            emulator.knobs.advanceClock(by: 1000)
            let again = try #require(try await emulator.ticket("jsapi", token: token))
            #expect(again.ticket == first.ticket)
            #expect((6150...6200).contains(again.expiresIn))
            let card = try #require(try await emulator.ticket("wx_card", token: token))
            #expect(card.ticket != first.ticket)
            #expect(emulator.knobs.currentTicket(.jsapi)?.value == first.ticket)
            #expect(emulator.knobs.stats.ticketsIssued == 2)
        }
    }

    @Test("a new ticket, of the ticket_lifetime setting, comes once the current one is within the overlap of expiry")
    func rotation() async throws {
        // Wide margins: the emulator clock also runs with the wall clock, and a loaded machine takes seconds.
        try await withEmulator(EmulatorConfiguration(ticketLifetime: 600)) { emulator in
            emulator.knobs.setOverlap(60)
            let token = try await emulator.stableToken().token
            let first = try #require(try await emulator.ticket("jsapi", token: token))
            #expect(first.expiresIn == 600)
            emulator.knobs.advanceClock(by: 500)
            #expect(try await emulator.ticket("jsapi", token: token)?.ticket == first.ticket)
            emulator.knobs.advanceClock(by: 50)
            let rotated = try #require(try await emulator.ticket("jsapi", token: token))
            #expect(rotated.ticket != first.ticket)
            #expect(rotated.expiresIn == 600)
            _ = try await emulator.post("/-/emulator/settings", json: #"{"ticket_lifetime":30}"#)
            emulator.knobs.advanceClock(by: 601)
            #expect(try await emulator.ticket("jsapi", token: token)?.expiresIn == 30)
        }
    }

    @Test("each account has its own tickets")
    func perAccount() async throws {
        try await withEmulator(EmulatorConfiguration(otherAccounts: [Self.other])) { emulator in
            let primaryToken = try await emulator.stableToken().token
            let otherToken = try await emulator.stableToken(account: Self.other).token
            let primary = try #require(try await emulator.ticket("jsapi", token: primaryToken))
            let other = try #require(try await emulator.ticket("jsapi", token: otherToken))
            #expect(primary.ticket != other.ticket)
            #expect(emulator.knobs.currentTicket(.jsapi, appid: Self.other.appid)?.value == other.ticket)
            #expect(emulator.knobs.stats.requests(to: Self.path, appid: Self.other.appid) == 1)
            emulator.knobs.invalidateTickets(appid: Self.other.appid)
            #expect(try await emulator.ticket("jsapi", token: primaryToken)?.ticket == primary.ticket)
            #expect(try await emulator.ticket("jsapi", token: otherToken)?.ticket != other.ticket)
        }
    }

    @Test("a missing or unknown type answers 40097", arguments: ["", "&type=", "&type=JSAPI", "&type=card"])
    func badType(query: String) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.stableToken().token
            let response = try await emulator.get("\(Self.path)?access_token=\(token)\(query)")
            #expect(response.errcode == 40097)
            #expect((response.json["errmsg"] as? String)?.hasPrefix("invalid args") == true)
            #expect(emulator.knobs.stats.ticketsIssued == 0)
        }
    }

    @Test("a bad, missing or expired token answers the token check's errcode")
    func badToken() async throws {
        try await withEmulator { emulator in
            #expect(try await emulator.get("\(Self.path)?access_token=nope&type=jsapi").errcode == 40001)
            #expect(try await emulator.get("\(Self.path)?type=jsapi").errcode == 41001)
            let token = try await emulator.classicToken()
            emulator.knobs.advanceClock(by: 7200)
            #expect(try await emulator.get("\(Self.path)?access_token=\(token)&type=jsapi").errcode == 42001)
            #expect(emulator.knobs.stats.ticketsIssued == 0)
        }
    }

    @Test("faults on the getticket path apply", arguments: [40001, -1])
    func faults(errcode: Int) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.stableToken().token
            emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/cgi-bin/ticket/", action: .errcode(errcode, errmsg: nil), count: 1))
            #expect(try await emulator.get("\(Self.path)?access_token=\(token)&type=jsapi").errcode == errcode)
            #expect(try await emulator.ticket("jsapi", token: token) != nil)
            #expect(emulator.knobs.stats.faultsApplied == 1)
        }
    }

    @Test("the tickets knob shows fingerprints; DELETE forgets them so the next fetch issues new ones")
    func knobs() async throws {
        try await withEmulator { emulator in
            #expect(try await emulator.get("/-/emulator/tickets").text == #"{"jsapi":null,"wx_card":null}"#)
            let token = try await emulator.stableToken().token
            let first = try #require(try await emulator.ticket("jsapi", token: token))
            let listed = try await emulator.get("/-/emulator/tickets")
            #expect(!listed.text.contains(first.ticket))
            #expect(((listed.json["jsapi"] as? [String: Any])?["fingerprint"] as? String)?.count == 16)
            #expect(try await emulator.send("DELETE", "/-/emulator/tickets").status == 200)
            #expect(emulator.knobs.currentTicket(.jsapi) == nil)
            #expect(try await emulator.ticket("jsapi", token: token)?.ticket != first.ticket)
        }
    }
}
