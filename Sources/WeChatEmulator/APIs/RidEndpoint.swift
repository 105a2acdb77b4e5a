// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// `POST /cgi-bin/openapi/rid/get` `{"rid":".."}`: the details of a failed call, as WeChat documents them
/// (`request.request_url` is the failed call's query, `access_token=…` included). Unknown rid → 76001; missing
/// or empty → 76002; not JSON → 47001; not POST → 43002.
enum RidEndpoint {
    static let path = "/cgi-bin/openapi/rid/get"

    struct Body: Decodable {
        var rid: String?
    }

    struct Answer: Codable, Sendable {
        var errcode = 0
        var errmsg = "ok"
        var request: RidRecord
    }

    static func respond(to exchange: Exchange) -> Reply {
        guard exchange.request.method == "POST" else { return exchange.error(.requirePOST) }
        guard let body = exchange.request.decodeJSON(Body.self) else { return exchange.error(.dataFormat) }
        guard let rid = body.rid, !rid.isEmpty else { return exchange.error(.ridInvalid) }
        guard let record = exchange.knobs.withState({ state, _ in state.rids.find(rid) }) else {
            return exchange.error(.ridNotFound)
        }
        return Reply.json(Answer(request: record))
    }
}
