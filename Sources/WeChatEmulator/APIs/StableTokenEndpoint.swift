// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging

/// `POST /cgi-bin/stable_token` with `{"grant_type":"client_credential","appid":..,"secret":..,"force_refresh":false}`.
///
/// Answers the current stable token of that appid with its remaining `expires_in` (rules in
/// `TokenBook+Stable.swift`); each appid has its own token, rotation and force budget.
/// Non-POST → 43002; a body that is not such JSON → 47001; credentials as for the classic endpoint;
/// more than 20 effective forces in a Beijing day → 45009.
enum StableTokenEndpoint {
    /// The path served.
    static let path = "/cgi-bin/stable_token"

    /// The request body.
    struct Body: Decodable {
        var grantType: String?
        var appid: String?
        var secret: String?
        var forceRefresh: Bool?

        enum CodingKeys: String, CodingKey {
            case grantType = "grant_type"
            case appid, secret
            case forceRefresh = "force_refresh"
        }
    }

    /// Answers one request.
    static func respond(to exchange: Exchange) -> Reply {
        guard exchange.request.method == "POST" else {
            return exchange.error(.requirePOST)
        }
        guard let body = exchange.request.decodeJSON(Body.self) else {
            return exchange.error(.dataFormat)
        }
        let appid: String
        do {
            appid = try CredentialCheck.appid(
                grantType: body.grantType, appid: body.appid, secret: body.secret,
                configuration: exchange.configuration)
        } catch {
            return exchange.error(error)
        }
        let force = body.forceRefresh ?? false
        let outcome = exchange.knobs.withState { state, now in
            let outcome = state.withAccount(appid) { $0.tokens.stableToken(forceRefresh: force, at: now) }
            state.stats.record(outcome, forced: force)
            return outcome
        }
        switch outcome {
        case .forceQuotaExceeded:
            return exchange.error(.dailyQuota)
        case .granted(let token, let event):
            exchange.logger.debug(
                "stable token \(event)",
                metadata: ["wxsidecar.token.fingerprint": "\(TokenGenerator.fingerprint(token.value))"])
            return Reply.json(TokenBody(accessToken: token.value, expiresIn: token.expiresIn))
        }
    }
}

// MARK: - Counting

extension EmulatorStats {
    /// Counts one stable token answer.
    mutating func record(_ outcome: StableTokenOutcome, forced: Bool) {
        if forced { forceRefreshRequests += 1 }
        guard case .granted(_, let event) = outcome else { return }
        stableTokenGrants += 1
        switch event {
        case .reused: break
        case .issued, .rotated: stableTokensIssued += 1
        case .forced:
            stableTokensIssued += 1
            forcedRotations += 1
        case .forceTooSoon: forcesTooSoon += 1
        }
    }
}
