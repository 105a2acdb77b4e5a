// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Counters since start or the last reset (`GET /-/emulator/stats`, cleared by `DELETE /-/emulator/stats`).
///
/// Knob requests (`/-/emulator/...`) are not counted. Every other request is, including those denied by the
/// token check and those hit by a fault.
public struct EmulatorStats: Sendable, Hashable, Codable {
    /// All counted requests.
    public var requests = 0
    /// Requests by raw path (without the query).
    public var requestsByPath: [String: Int] = [:]
    /// Requests by the appid they were made as, then by raw path. A request counts for an appid when its
    /// `access_token` is one of that account's tokens (alive or not), or when it asks a token endpoint for that
    /// (served) appid; requests with no such appid count only in `requestsByPath`.
    public var requestsByAppID: [String: [String: Int]] = [:]
    /// Non-zero errcodes answered, by errcode (JSON keys are strings).
    public var errcodes: [Int: Int] = [:]
    /// Successful `GET /cgi-bin/token` calls (each issues a token).
    public var classicTokensIssued = 0
    /// Successful `POST /cgi-bin/stable_token` calls.
    public var stableTokenGrants = 0
    /// Stable tokens issued (first, after death, rotation near expiry, or forced).
    public var stableTokensIssued = 0
    /// Stable token calls with `force_refresh: true` that passed the credential checks.
    public var forceRefreshRequests = 0
    /// Forced refreshes that rotated the stable token.
    public var forcedRotations = 0
    /// Forced refreshes ignored because the previous one was less than 30 s earlier.
    public var forcesTooSoon = 0
    /// Calls opened and answered under API security.
    public var apiSecurityCalls = 0
    /// Calls refused under API security (missing headers, bad signature, stale timestamp, bad envelope).
    public var apiSecurityRefusals = 0
    /// Successful `getticket` answers, by ticket type (`jsapi`, `wx_card`).
    public var ticketGrants: [String: Int] = [:]
    /// Tickets issued (first, after expiry or invalidation, or rotation near expiry).
    public var ticketsIssued = 0
    /// Faults applied.
    public var faultsApplied = 0
    /// Requests held by a fault's delay right now; one whose caller hangs up leaves at once.
    public var delayedInFlight = 0

    /// Creates zeroed counters.
    public init() {}

    /// Requests counted for one path.
    public func requests(to path: String) -> Int {
        requestsByPath[path, default: 0]
    }

    /// Requests counted for one path made as the account `appid`.
    public func requests(to path: String, appid: String) -> Int {
        requestsByAppID[appid]?[path] ?? 0
    }

    /// Requests counted for the account `appid`, all paths.
    public func requests(appid: String) -> Int {
        requestsByAppID[appid]?.values.reduce(0, +) ?? 0
    }

    /// Successful `getticket` answers for `type`.
    public func ticketGrants(_ type: TicketType) -> Int {
        ticketGrants[type.rawValue] ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case requests
        case requestsByPath = "requests_by_path"
        case requestsByAppID = "requests_by_appid"
        case errcodes
        case classicTokensIssued = "classic_tokens_issued"
        case stableTokenGrants = "stable_token_grants"
        case stableTokensIssued = "stable_tokens_issued"
        case forceRefreshRequests = "force_refresh_requests"
        case forcedRotations = "forced_rotations"
        case forcesTooSoon = "forces_too_soon"
        case ticketGrants = "ticket_grants"
        case ticketsIssued = "tickets_issued"
        case faultsApplied = "faults_applied"
        case delayedInFlight = "delayed_in_flight"
    }
}
