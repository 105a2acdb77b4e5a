// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// `GET /cgi-bin/get_api_domain_ip`: WeChat's API server addresses, `{"ip_list":[..]}` (no errcode on success,
/// as WeChat answers). Needs only a valid token: the sidecar probes a token with it.
enum ApiDomainIPEndpoint {
    static let path = "/cgi-bin/get_api_domain_ip"

    struct Answer: Codable, Sendable {
        var ipList: [String]
        enum CodingKeys: String, CodingKey { case ipList = "ip_list" }
    }

    static func respond(to exchange: Exchange) -> Reply {
        guard exchange.request.method == "GET" else { return exchange.error(.requireGET) }
        return Reply.json(Answer(ipList: ["127.0.0.1", "::1"]))
    }
}
