// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import SidecarCore

/// One call to `GET /cgi-bin/ticket/getticket?access_token=…&type=jsapi|wx_card`.
struct TicketEndpoint: Sendable {
    /// The way to WeChat: the base URLs, their fallback and the proxy.
    let routes: UpstreamRoutes

    /// WeChat's answer, as documented: `{"errcode":0,"errmsg":"ok","ticket":"…","expires_in":7200}`.
    struct Answer: Decodable, Sendable {
        var errcode: Int?
        var errmsg: String?
        var ticket: String?
        var expiresIn: Int?

        enum CodingKeys: String, CodingKey {
            case errcode, errmsg, ticket
            case expiresIn = "expires_in"
        }
    }

    /// Why a fetch failed.
    enum Failure: Error, Sendable {
        /// 40001/40014/42001: the token used was rejected; recover it and try once more.
        case tokenRejected(errcode: Int)
        /// Anything else, with a message that names no secret.
        case failed(label: String, message: String)

        var label: String {
            switch self {
            case .tokenRejected: "token_invalid"
            case .failed(let label, _): label
            }
        }
    }

    func fetch(_ kind: SidecarConfiguration.TicketKind, token: String) async -> Result<(String, Int), Failure> {
        let path = "/cgi-bin/ticket/getticket?access_token=\(token)&type=\(kind.rawValue)"
        let response: UpstreamResponse
        do {
            response = try await routes.execute { base in routes.request("GET", base + path) }
        } catch {
            return .failure(.failed(label: error.label, message: "cannot reach \(routes.described) for the \(kind.rawValue) ticket (\(error.label))"))
        }
        return Self.parse(status: response.status, body: Data(response.body.readableBytesView), kind: kind)
    }

    static func parse(status: Int, body: Data, kind: SidecarConfiguration.TicketKind) -> Result<(String, Int), Failure> {
        guard status == 200 else {
            return .failure(.failed(label: "http_\(status)", message: "getticket answered HTTP \(status)"))
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: body) else {
            return .failure(.failed(label: "malformed", message: "getticket answered something that is not its JSON"))
        }
        if let errcode = answer.errcode, errcode != 0 {
            if WeChatErrcode.classify(errcode) == .tokenInvalid { return .failure(.tokenRejected(errcode: errcode)) }
            let errmsg = Printable.clip(answer.errmsg ?? "", to: 200)
            return .failure(.failed(label: "errcode_\(errcode)", message: "getticket (\(kind.rawValue)) answered errcode \(errcode) \"\(errmsg)\""))
        }
        guard let ticket = answer.ticket, TokenValue.isWellFormed(ticket), let expiresIn = answer.expiresIn, expiresIn > 0 else {
            return .failure(.failed(label: "malformed", message: "getticket answered no usable ticket or expires_in"))
        }
        return .success((ticket, expiresIn))
    }
}
