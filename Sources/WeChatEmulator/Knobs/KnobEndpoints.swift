// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird

/// The knobs over HTTP, under `/-/emulator/`, so a separate `wxsidecar emulate` process can be driven by curl.
/// Knob requests need no token, are never faulted and are not counted. Every answer is JSON.
///
/// | request | body | answer |
/// |---|---|---|
/// | `GET /-/emulator/stats` | | `EmulatorStats` |
/// | `DELETE /-/emulator/stats` | | zeroed `EmulatorStats` |
/// | `POST /-/emulator/invalidate` | | `{"invalidated":true}`: every known token now answers 40001 |
/// | `POST /-/emulator/advance?seconds=N` | | `{"clock_offset":S,"now":T}` (N may be negative or fractional) |
/// | `GET /-/emulator/clock` | | `{"clock_offset":S,"now":T}` |
/// | `GET`/`POST /-/emulator/settings` | `{"token_lifetime":N,"overlap":N,"image_bytes":N}` (any subset) | `EmulatorSettings` |
/// | `GET /-/emulator/fault` | | `[fault]` in force |
/// | `POST /-/emulator/fault` | a fault (see `EmulatorFault+JSON.swift`) | `[fault]` in force |
/// | `DELETE /-/emulator/fault` | | `[]` |
/// | `GET /-/emulator/tokens` | | `{"classic":{"fingerprint":..,"expires_in":N}|null,"stable":..}` |
/// | `POST /-/emulator/reset` | | `{"reset":true}`: initial settings, no tokens, faults or counts, offset 0 |
///
/// Errors: unknown knob → 404, wrong method → 405, bad body or parameter → 400, each `{"error":".."}`.
enum KnobEndpoints {
    /// The path prefix of every knob.
    static let prefix = "/-/emulator/"

    /// Answers one knob request.
    static func respond(to exchange: Exchange) -> Reply {
        let request = exchange.request
        let knobs = exchange.knobs
        let name = String(request.path.dropFirst(prefix.count))
        switch (request.method, name) {
        case ("GET", "stats"):
            return plain(knobs.stats)
        case ("DELETE", "stats"):
            knobs.resetStats()
            return plain(knobs.stats)
        case ("POST", "invalidate"):
            knobs.invalidateAllTokens()
            return plain(["invalidated": true])
        case ("POST", "advance"):
            guard let text = request.query["seconds"], let seconds = Double(text), seconds.isFinite else {
                return failure(.badRequest, "advance needs ?seconds=N")
            }
            knobs.advanceClock(by: seconds)
            return clock(knobs)
        case ("GET", "clock"):
            return clock(knobs)
        case ("GET", "settings"):
            return plain(knobs.settings)
        case ("POST", "settings"):
            guard let change = request.decodeJSON(EmulatorSettingsUpdate.self) else {
                return failure(.badRequest, "settings body must be JSON: token_lifetime, overlap, image_bytes")
            }
            return plain(knobs.update(change))
        case ("GET", "fault"), ("GET", "faults"):
            return plain(knobs.faults)
        case ("POST", "fault"), ("POST", "faults"):
            guard let fault = request.decodeJSON(EmulatorFault.self) else {
                return failure(.badRequest, "fault body must be JSON with path, count, delay_ms, action, ...")
            }
            knobs.addFault(fault)
            return plain(knobs.faults)
        case ("DELETE", "fault"), ("DELETE", "faults"):
            knobs.clearFaults()
            return plain(knobs.faults)
        case ("GET", "tokens"):
            return plain(TokenSummary(classic: knobs.currentToken(.classic), stable: knobs.currentToken(.stable)))
        case ("POST", "reset"):
            knobs.reset()
            return plain(["reset": true])
        case (_, "stats"), (_, "invalidate"), (_, "advance"), (_, "clock"), (_, "settings"), (_, "fault"),
            (_, "faults"), (_, "tokens"), (_, "reset"):
            return failure(.methodNotAllowed, "method \(request.method) not allowed on \(request.path)")
        default:
            return failure(.notFound, "unknown knob \(request.path)")
        }
    }

    // MARK: Answers

    private static func plain(_ value: some Encodable) -> Reply {
        Reply.json(value, errcode: nil)
    }

    private static func failure(_ status: HTTPResponse.Status, _ message: String) -> Reply {
        Reply.json(["error": message], errcode: nil, status: status)
    }

    private static func clock(_ knobs: EmulatorKnobs) -> Reply {
        plain(["clock_offset": knobs.clockOffset, "now": knobs.now])
    }

    /// The current tokens, by fingerprint only.
    struct TokenSummary: Encodable {
        struct Entry: Encodable {
            var fingerprint: String
            var expiresIn: Int

            enum CodingKeys: String, CodingKey {
                case fingerprint
                case expiresIn = "expires_in"
            }
        }

        var classic: Entry?
        var stable: Entry?

        init(classic: IssuedToken?, stable: IssuedToken?) {
            self.classic = classic.map {
                Entry(fingerprint: TokenGenerator.fingerprint($0.value), expiresIn: $0.expiresIn)
            }
            self.stable = stable.map {
                Entry(fingerprint: TokenGenerator.fingerprint($0.value), expiresIn: $0.expiresIn)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(classic, forKey: .classic)
            try container.encode(stable, forKey: .stable)
        }

        enum CodingKeys: String, CodingKey {
            case classic, stable
        }
    }
}
