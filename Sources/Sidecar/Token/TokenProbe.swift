// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import SidecarCore

/// Asks WeChat whether a token still works, with a call whose answer no caller can shape:
/// `GET /cgi-bin/get_api_domain_ip` (WeChat's API server addresses; it needs only the token and works for mini
/// programs and official accounts alike). A proxied call answered 40001 proves nothing by itself, since a caller
/// chooses the API and an upstream may answer anything; the recovery forces a rotation only on this probe's word.
public struct TokenProbe: Sendable {
    /// The path probed.
    public static let path = "/cgi-bin/get_api_domain_ip"

    /// What the probe found.
    public enum Verdict: Sendable, Equatable {
        /// WeChat accepted the token.
        case alive
        /// WeChat rejected it with this errcode (40001, 40014, 42001).
        case dead(errcode: Int)
        /// No verdict: the call failed or WeChat answered something else (a bounded label).
        case unknown(String)

        /// A bounded label for logs and metrics.
        public var label: String {
            switch self {
            case .alive: "alive"
            case .dead: "dead"
            case .unknown: "unknown"
            }
        }
    }

    /// The way to WeChat: the base URLs, their fallback and the proxy.
    let routes: UpstreamRoutes

    init(routes: UpstreamRoutes) {
        self.routes = routes
    }

    /// Probes `token`.
    public func check(_ token: String) async -> Verdict {
        let response: UpstreamResponse
        do {
            response = try await routes.execute { base in routes.request("GET", base + Self.path + "?access_token=" + token) }
        } catch {
            return .unknown("transport_\(error.label)")
        }
        return Self.verdict(status: response.status, body: Data(response.body.readableBytesView))
    }

    /// Reads the probe's answer: `{"ip_list":[…]}` (no errcode, or 0) is alive; a token errcode is dead.
    static func verdict(status: Int, body: Data) -> Verdict {
        guard status == 200 else { return .unknown("http_\(status)") }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: body) else { return .unknown("malformed") }
        switch answer.errcode.map(WeChatErrcode.classify) ?? .ok {
        case .ok: return .alive
        case .tokenInvalid: return .dead(errcode: answer.errcode ?? 0)
        default: return .unknown("errcode")
        }
    }

    private struct Answer: Decodable {
        var errcode: Int?
    }
}
