// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird

/// The knobs over HTTP, under `/-/emulator/`, so a separate `wxsidecar emulate` process can be driven by curl.
/// Knob requests need no token, are never faulted and are not counted. Every answer is JSON.
///
/// `?appid=A` picks an account where noted; without it the knob means the primary account (`invalidate` and
/// `DELETE tickets`: every account). An appid the emulator does not serve answers 400.
///
/// | request | body | answer |
/// |---|---|---|
/// | `GET /-/emulator/stats` | | `EmulatorStats` |
/// | `DELETE /-/emulator/stats` | | zeroed `EmulatorStats` |
/// | `POST /-/emulator/invalidate[?appid=A]` | | `{"invalidated":true}`: every known token (of A) now answers 40001 |
/// | `POST /-/emulator/advance?seconds=N` | | `{"clock_offset":S,"now":T}` (N may be negative or fractional) |
/// | `GET /-/emulator/clock` | | `{"clock_offset":S,"now":T}` |
/// | `GET`/`POST /-/emulator/settings` | `{"token_lifetime":N,"overlap":N,"image_bytes":N,"ticket_lifetime":N}` (any subset) | `EmulatorSettings` |
/// | `GET /-/emulator/fault` | | `[fault]` in force |
/// | `POST /-/emulator/fault` | a fault (see `EmulatorFault+JSON.swift`) | `[fault]` in force |
/// | `DELETE /-/emulator/fault` | | `[]` |
/// | `GET /-/emulator/accounts` | | `{"appids":["wx…",…]}`, the primary one first |
/// | `GET /-/emulator/tokens[?appid=A]` | | `{"classic":{"fingerprint":..,"expires_in":N}|null,"stable":..}` |
/// | `GET /-/emulator/check?access_token=T` | | `{"check":"valid|expired|invalid","appid":"wx…"|null}` |
/// | `GET /-/emulator/tickets[?appid=A]` | | `{"jsapi":{"fingerprint":..,"expires_in":N}|null,"wx_card":..}` |
/// | `DELETE /-/emulator/tickets[?appid=A]` | | `{"invalidated":true}`: the next getticket issues new tickets |
/// | `POST /-/emulator/reset` | | `{"reset":true}`: initial settings, no tokens, faults or counts, offset 0 |
///
/// Errors: unknown knob → 404, wrong method → 405, bad body or parameter → 400, each `{"error":".."}`.
enum KnobEndpoints {
    /// The path prefix of every knob.
    static let prefix = "/-/emulator/"

    /// Every knob name, for telling a wrong method (405) from an unknown knob (404).
    static let names: Set = [
        "stats", "invalidate", "advance", "clock", "settings", "fault", "faults", "accounts", "tokens", "check",
        "tickets", "reset",
    ]

    /// A knob request that cannot be served: its status and the `error` text.
    struct Failure: Error {
        var status: HTTPResponse.Status
        var message: String
    }

    /// Answers one knob request.
    static func respond(to exchange: Exchange) -> Reply {
        do {
            return try answer(exchange.request, knobs: exchange.knobs)
        } catch {
            return Reply.json(["error": error.message], errcode: nil, status: error.status)
        }
    }

    private static func answer(_ request: EmulatorRequest, knobs: EmulatorKnobs) throws(Failure) -> Reply {
        let name = String(request.path.dropFirst(prefix.count))
        switch (request.method, name) {
        case ("GET", "stats"):
            return plain(knobs.stats)
        case ("DELETE", "stats"):
            knobs.resetStats()
            return plain(knobs.stats)
        case ("POST", "invalidate"):
            return try invalidate(request, knobs, one: knobs.invalidateTokens(appid:), all: knobs.invalidateAllTokens)
        case ("POST", "advance"):
            guard let text = request.query["seconds"], let seconds = Double(text), seconds.isFinite else {
                throw Failure(status: .badRequest, message: "advance needs ?seconds=N")
            }
            knobs.advanceClock(by: seconds)
            return clock(knobs)
        case ("GET", "clock"):
            return clock(knobs)
        case ("GET", "settings"):
            return plain(knobs.settings)
        case ("POST", "settings"):
            guard let change = request.decodeJSON(EmulatorSettingsUpdate.self) else {
                throw Failure(
                    status: .badRequest,
                    message: "settings body must be JSON: token_lifetime, overlap, image_bytes, ticket_lifetime")
            }
            return plain(knobs.update(change))
        case ("GET", "fault"), ("GET", "faults"):
            return plain(knobs.faults)
        case ("POST", "fault"), ("POST", "faults"):
            guard let fault = request.decodeJSON(EmulatorFault.self) else {
                throw Failure(
                    status: .badRequest, message: "fault body must be JSON with path, count, delay_ms, action, ...")
            }
            knobs.addFault(fault)
            return plain(knobs.faults)
        case ("DELETE", "fault"), ("DELETE", "faults"):
            knobs.clearFaults()
            return plain(knobs.faults)
        default:
            return try accountAnswer(request, name: name, knobs: knobs)
        }
    }

    /// The knobs about accounts, tokens and tickets, and the reset.
    private static func accountAnswer(
        _ request: EmulatorRequest, name: String, knobs: EmulatorKnobs
    ) throws(Failure) -> Reply {
        switch (request.method, name) {
        case ("GET", "accounts"):
            return plain(["appids": knobs.appids])
        case ("GET", "tokens"):
            let appid = try account(request, knobs)
            return plain(
                FingerprintSummary(
                    classic: knobs.currentToken(.classic, appid: appid),
                    stable: knobs.currentToken(.stable, appid: appid)))
        case ("GET", "check"):
            guard let token = request.query["access_token"], !token.isEmpty else {
                throw Failure(status: .badRequest, message: "check needs ?access_token=T")
            }
            return plain(TokenOwnership(check: knobs.check(token: token), appid: knobs.appid(ofToken: token)))
        case ("GET", "tickets"):
            let appid = try account(request, knobs)
            return plain(FingerprintSummary { knobs.currentTicket($0, appid: appid) })
        case ("DELETE", "tickets"):
            return try invalidate(
                request, knobs, one: knobs.invalidateTickets(appid:), all: knobs.invalidateAllTickets)
        case ("POST", "reset"):
            knobs.reset()
            return plain(["reset": true])
        case (_, let name) where names.contains(name):
            throw Failure(status: .methodNotAllowed, message: "method \(request.method) not allowed on \(request.path)")
        default:
            throw Failure(status: .notFound, message: "unknown knob \(request.path)")
        }
    }

    // MARK: Answers

    /// The account named by `?appid=`, `nil` when there is none; an appid not served is a 400.
    private static func account(_ request: EmulatorRequest, _ knobs: EmulatorKnobs) throws(Failure) -> String? {
        guard let appid = request.query["appid"] else { return nil }
        guard knobs.appids.contains(appid) else {
            throw Failure(status: .badRequest, message: "appid \(appid) is not served (see /-/emulator/accounts)")
        }
        return appid
    }

    /// Runs `one` for the account named by `?appid=`, or `all` when none is named.
    private static func invalidate(
        _ request: EmulatorRequest, _ knobs: EmulatorKnobs, one: (String) -> Void, all: () -> Void
    ) throws(Failure) -> Reply {
        if let appid = try account(request, knobs) {
            one(appid)
        } else {
            all()
        }
        return plain(["invalidated": true])
    }

    private static func plain(_ value: some Encodable) -> Reply {
        Reply.json(value, errcode: nil)
    }

    private static func clock(_ knobs: EmulatorKnobs) -> Reply {
        plain(["clock_offset": knobs.clockOffset, "now": knobs.now])
    }

    /// The answer of `check`: what an API would answer for a token, and whose it is.
    struct TokenOwnership: Encodable {
        var check: TokenCheck
        var appid: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("\(check)", forKey: .check)
            try container.encode(appid, forKey: .appid)
        }

        enum CodingKeys: String, CodingKey {
            case check, appid
        }
    }
}
