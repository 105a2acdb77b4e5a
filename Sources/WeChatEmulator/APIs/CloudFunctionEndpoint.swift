// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore

/// `POST /tcb/invokecloudfunction?env=ENV&name=NAME`: the body is the function's input.
///
/// Answers `{"errcode":0,"errmsg":"ok","resp_data":"<string>"}` where `resp_data` is the JSON text
/// `{"env":..,"name":..,"body":"<request body as text>"}`, so tests see what arrived.
/// Errors: non-POST → 43002; `env` or `name` missing or empty → 40097.
enum CloudFunctionEndpoint {
    /// The path served.
    static let path = "/tcb/invokecloudfunction"

    /// What `resp_data` holds.
    struct Echo: Codable, Sendable, Hashable {
        var env: String
        var name: String
        var body: String
    }

    /// The success answer.
    struct Answer: Codable, Sendable {
        var errcode = 0
        var errmsg = "ok"
        var respData: String

        enum CodingKeys: String, CodingKey {
            case errcode, errmsg
            case respData = "resp_data"
        }
    }

    /// Answers one request (after the token check).
    static func respond(to exchange: Exchange) -> Reply {
        let request = exchange.request
        guard request.method == "POST" else {
            return exchange.error(.requirePOST)
        }
        guard let env = request.query["env"], !env.isEmpty, let name = request.query["name"], !name.isEmpty else {
            return exchange.error(EmulatorErrcode(code: 40097, message: "invalid args, env and name are required"))
        }
        let echo = Echo(env: env, name: name, body: String(decoding: request.body.readableBytesView, as: UTF8.self))
        let text = String(decoding: Reply.json(echo).body.readableBytesView, as: UTF8.self)
        return Reply.json(Answer(respData: text))
    }
}
