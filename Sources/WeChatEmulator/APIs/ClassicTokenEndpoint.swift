// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging

/// `GET /cgi-bin/token?grant_type=client_credential&appid=..&secret=..`
///
/// Each successful call issues a new token (`{"access_token":..,"expires_in":7200}`) and cuts the previous
/// classic token to at most `overlap` seconds. Non-GET → 43002; grant_type ≠ client_credential → 40002;
/// missing appid → 41002, wrong appid → 40013; missing secret → 41004, wrong secret → 40125.
enum ClassicTokenEndpoint {
    /// The path served.
    static let path = "/cgi-bin/token"

    /// Answers one request.
    static func respond(to exchange: Exchange) -> Reply {
        let request = exchange.request
        guard request.method == "GET" else {
            return exchange.error(.requireGET)
        }
        if let error = CredentialCheck.error(
            grantType: request.query["grant_type"], appid: request.query["appid"],
            secret: request.query["secret"], configuration: exchange.configuration)
        {
            return exchange.error(error)
        }
        let token = exchange.knobs.withState { state, now in
            state.stats.classicTokensIssued += 1
            return state.tokens.issueClassic(at: now)
        }
        exchange.logger.debug(
            "issued classic token",
            metadata: ["wxsidecar.token.fingerprint": "\(TokenGenerator.fingerprint(token.value))"])
        return Reply.json(TokenBody(accessToken: token.value, expiresIn: token.expiresIn))
    }
}

/// The credential checks both token endpoints share.
enum CredentialCheck {
    /// The first thing wrong with the credentials, or `nil`.
    static func error(
        grantType: String?, appid: String?, secret: String?, configuration: EmulatorConfiguration
    ) -> EmulatorErrcode? {
        guard grantType == "client_credential" else { return .invalidGrantType }
        guard let appid, !appid.isEmpty else { return .appIDMissing }
        guard appid == configuration.appid else { return .invalidAppID }
        guard let secret, !secret.isEmpty else { return .appSecretMissing }
        guard secret == configuration.secret else { return .invalidAppSecret }
        return nil
    }
}

/// `{"access_token":"..","expires_in":N}`.
struct TokenBody: Codable, Sendable {
    var accessToken: String
    var expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
    }
}
