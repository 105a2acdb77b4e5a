// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging

/// `GET /cgi-bin/token?grant_type=client_credential&appid=..&secret=..`
///
/// Each successful call issues a new token (`{"access_token":..,"expires_in":7200}`) and cuts the previous
/// classic token of that appid to at most `overlap` seconds. Non-GET → 43002; grant_type ≠ client_credential →
/// 40002; missing appid → 41002, an appid not served → 40013; missing secret → 41004, a secret that is not that
/// appid's → 40125.
enum ClassicTokenEndpoint {
    /// The path served.
    static let path = "/cgi-bin/token"

    /// Answers one request.
    static func respond(to exchange: Exchange) -> Reply {
        let request = exchange.request
        guard request.method == "GET" else {
            return exchange.error(.requireGET)
        }
        let appid: String
        do {
            appid = try CredentialCheck.appid(
                grantType: request.query["grant_type"], appid: request.query["appid"],
                secret: request.query["secret"], configuration: exchange.configuration)
        } catch {
            return exchange.error(error)
        }
        let token = exchange.knobs.withState { state, now in
            state.stats.classicTokensIssued += 1
            return state.withAccount(appid) { $0.tokens.issueClassic(at: now) }
        }
        exchange.logger.debug(
            "issued classic token",
            metadata: ["wxsidecar.token.fingerprint": "\(TokenGenerator.fingerprint(token.value))"])
        return Reply.json(TokenBody(accessToken: token.value, expiresIn: token.expiresIn))
    }
}

/// The credential checks both token endpoints share.
enum CredentialCheck {
    /// The appid of the account the credentials open, or the first thing wrong with them.
    static func appid(
        grantType: String?, appid: String?, secret: String?, configuration: EmulatorConfiguration
    ) throws(EmulatorErrcode) -> String {
        guard grantType == "client_credential" else { throw .invalidGrantType }
        guard let appid, !appid.isEmpty else { throw .appIDMissing }
        guard let account = configuration.accounts.first(where: { $0.appid == appid }) else { throw .invalidAppID }
        guard let secret, !secret.isEmpty else { throw .appSecretMissing }
        guard secret == account.secret else { throw .invalidAppSecret }
        return appid
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
