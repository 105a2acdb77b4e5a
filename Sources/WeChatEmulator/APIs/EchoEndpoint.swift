// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Every path the emulator does not model (any method), after the token check: a JSON description of the
/// request as received, so proxy tests can check what was forwarded.
///
/// ```json
/// {"errcode":0,"errmsg":"ok","request_id":"..","appid":"wx..","method":"POST","path":"/x/y",
///  "query":"a=1&access_token=..","host":"127.0.0.1:8080","headers":{"content-type":"application/json"},
///  "body_length":12,"body":"..","body_base64":null}
/// ```
///
/// `appid` is the account the `access_token` belongs to: the account the call ran as.
/// `query` is the raw query exactly as received (`null` when the target had no `?`). Header names are
/// lowercased; repeated headers are joined with `", "`; the Host header appears as `host`. `body` is the body as
/// text when it is valid UTF-8, else `null` with `body_base64` set.
enum EchoEndpoint {
    /// The answer.
    struct Answer: Codable, Sendable, Hashable {
        var errcode = 0
        var errmsg = "ok"
        var requestID: String
        var appid: String?
        var method: String
        var path: String
        var query: String?
        var host: String?
        var headers: [String: String]
        var bodyLength: Int
        var body: String?
        var bodyBase64: String?

        enum CodingKeys: String, CodingKey {
            case errcode, errmsg, appid, method, path, query, host, headers, body
            case requestID = "request_id"
            case bodyLength = "body_length"
            case bodyBase64 = "body_base64"
        }
    }

    /// Answers one request (after the token check).
    static func respond(to exchange: Exchange) -> Reply {
        let request = exchange.request
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.lowercased()
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        let bytes = request.bodyBytes
        let text = String(validating: bytes, as: UTF8.self)
        let answer = Answer(
            requestID: exchange.requestID,
            appid: exchange.appid,
            method: request.method,
            path: request.path,
            query: request.rawQuery,
            host: request.authority,
            headers: headers,
            bodyLength: bytes.count,
            body: text,
            bodyBase64: text == nil ? Data(bytes).base64EncodedString() : nil
        )
        return Reply.json(answer)
    }
}
