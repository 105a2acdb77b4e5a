// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import SidecarCore

/// One call to WeChat's token endpoint: `POST /cgi-bin/stable_token` or `GET /cgi-bin/token`.
public struct TokenEndpoint: Sendable {
    /// What WeChat answered on success.
    public struct Answer: Sendable, Equatable {
        public var token: String
        public var expiresIn: Int

        public init(token: String, expiresIn: Int) {
            self.token = token
            self.expiresIn = expiresIn
        }
    }

    public var mode: SidecarConfiguration.TokenMode
    public var appid: String
    var secret: String
    /// The way to WeChat: the base URLs, their fallback and the proxy.
    let routes: UpstreamRoutes
    /// Applied to every message: WeChat's errmsg or libcurl's text may echo the request, secret included.
    let redactor: Redactor

    init(
        mode: SidecarConfiguration.TokenMode, appid: String, secret: String, routes: UpstreamRoutes,
        redactor: Redactor? = nil
    ) {
        self.mode = mode
        self.appid = appid
        self.secret = secret
        self.routes = routes
        self.redactor = redactor ?? Redactor(secrets: [secret])
    }

    /// Fetches a token. `forceRefresh` (stable mode only) asks WeChat to rotate at once.
    public func fetch(forceRefresh: Bool = false) async throws(TokenFetchError) -> Answer {
        let response: UpstreamResponse
        do {
            response = try await routes.execute { base in request(base, forceRefresh: forceRefresh) }
        } catch {
            throw TokenFetchError(
                kind: .transport(error.label),
                message: redactor.redact("cannot reach \(routes.described) for a token (\(error.label)): \(error.description)"))
        }
        do {
            return try Self.parse(status: response.status, body: Array(buffer: response.body), baseURL: routes.described)
        } catch {
            throw TokenFetchError(kind: error.kind, message: redactor.redact(error.message))
        }
    }

    // MARK: Request

    func request(_ base: String, forceRefresh: Bool) -> UpstreamRequest {
        switch mode {
        case .stable:
            let payload = StableTokenRequest(appid: appid, secret: secret, forceRefresh: forceRefresh)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let body = (try? encoder.encode(payload)) ?? Data()
            return routes.request(
                "POST", base + "/cgi-bin/stable_token", headers: [("Content-Type", "application/json")],
                body: ByteBuffer(bytes: body))
        case .classic:
            let query = "grant_type=client_credential&appid=\(Self.encode(appid))&secret=\(Self.encode(secret))"
            return routes.request("GET", base + "/cgi-bin/token?" + query)
        }
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    // MARK: Answer

    /// Reads WeChat's answer: a token, or an errcode classified with its fix.
    static func parse(status: Int, body: [UInt8], baseURL: String) throws(TokenFetchError) -> Answer {
        guard status == 200 else {
            throw TokenFetchError(kind: .httpStatus(status), message: "the token endpoint at \(baseURL) answered HTTP \(status)")
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(body)) else {
            throw TokenFetchError(kind: .malformedAnswer, message: "the token endpoint at \(baseURL) answered something that is not JSON")
        }
        if let token = answer.accessToken, let expiresIn = answer.expiresIn {
            guard TokenValue.isWellFormed(token), expiresIn > 0 else {
                throw TokenFetchError(kind: .malformedAnswer, message: "the token endpoint answered a token that is empty, too long or has unexpected characters, or a non-positive expires_in")
            }
            return Answer(token: token, expiresIn: expiresIn)
        }
        if let code = answer.errcode, code != 0 {
            let errmsg = Printable.clip(answer.errmsg ?? "", to: 200)
            var message = "WeChat refused the token request: errcode \(code) \"\(errmsg)\""
            if case .configuration(let fix) = WeChatErrcode.classify(code) { message += "; fix: \(fix)" }
            throw TokenFetchError(kind: .errcode(code), message: message)
        }
        throw TokenFetchError(kind: .malformedAnswer, message: "the token endpoint answered JSON with neither access_token nor errcode")
    }
}

/// What a token may look like before it is written to a file: 1 to 2048 characters of `[A-Za-z0-9_-]`
/// (real ones are ~136; WeChat says to store at least 512).
enum TokenValue {
    static func isWellFormed(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 2048
            && token.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x2d || $0 == 0x5f }
    }
}

/// `POST /cgi-bin/stable_token`'s body.
struct StableTokenRequest: Encodable {
    var grantType = "client_credential"
    var appid: String
    var secret: String
    var forceRefresh: Bool

    enum CodingKeys: String, CodingKey {
        case grantType = "grant_type"
        case appid, secret
        case forceRefresh = "force_refresh"
    }
}

/// What the token endpoints answer: `{"access_token":"…","expires_in":7200}` or `{"errcode":N,"errmsg":"…"}`.
struct TokenAnswer: Decodable {
    var accessToken: String?
    var expiresIn: Int?
    var errcode: Int?
    var errmsg: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case errcode, errmsg
    }
}
