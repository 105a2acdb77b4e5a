// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import NIOHTTP1
import Prometheus
import SidecarCore

/// The sidecar's own endpoints, outside the WeChat path space: a route table, one line per endpoint. All are
/// answered synchronously on the connection's event loop.
struct AdminEndpoints: Sendable {
    static let prefix = "/-/"

    /// One endpoint: the methods it takes and how it answers.
    struct Route: Sendable {
        var methods: Set<String>
        var answer: @Sendable (_ path: String) -> CallOutcome
    }

    /// An endpoint that takes a body (`POST`), answered by a task once the body is in.
    struct BodyRoute: Sendable {
        var answer: @Sendable (_ body: ByteBuffer, _ grant: Set<String>?, _ path: String) async -> CallOutcome
    }

    let routes: [String: Route]
    let bodyRoutes: [String: BodyRoute]

    init(accounts: AccountDirectory, metrics: SidecarMetrics, status: StatusReporter) {
        let acting = AccountEndpoints(accounts: accounts)
        bodyRoutes = [
            "/-/jssdk/signature": BodyRoute { body, grant, path in acting.signature(body, grant: grant, label: path) },
            "/-/token/refresh": BodyRoute { body, grant, path in await acting.refresh(body, grant: grant, label: path) },
        ]
        let read: Set<String> = ["GET", "HEAD"]
        routes = [
            "/-/healthy": Route(methods: read) { path in Self.json(200, #"{"status":"ok"}"#, label: path) },
            "/-/ready": Route(methods: read) { path in Self.readiness(accounts, label: path) },
            "/-/metrics": Route(methods: read) { path in
                let now = WallClock.now()
                for account in accounts.all {
                    account.metrics.tokenExpiresIn.set(max(0, account.tokens.validToken(at: now)?.remaining(at: now) ?? 0).rounded())
                }
                let headers: HTTPHeaders = ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"]
                return CallOutcome(
                    status: 200, headers: headers, body: ByteBuffer(bytes: metrics.render()), pathLabel: "admin",
                    path: path)
            },
            "/-/status": Route(methods: read) { path in Self.json(200, status.json(), label: path) },
        ]
    }

    /// What to do with `method` on the raw `target` (which starts with ``prefix``).
    enum Dispatch {
        case answer(CallOutcome)
        /// Read the body, then answer with the route.
        case readBody(BodyRoute, path: String)
    }

    /// The answer to `method` on the raw `target`, or the route that answers once the body is in.
    func dispatch(method: String, target: String) -> Dispatch {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        if let route = bodyRoutes[path] {
            guard method == "POST" else {
                return .answer(Self.json(405, WeChatErrorBody.json(errcode: 43002, errmsg: "require POST method for \(path)"), label: path))
            }
            return .readBody(route, path: path)
        }
        return .answer(respond(method: method, target: target))
    }

    /// The answer to `method` on the raw `target` (which starts with ``prefix``).
    func respond(method: String, target: String) -> CallOutcome {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        guard let route = routes[path] else {
            let known = (Array(routes.keys) + Array(bodyRoutes.keys)).sorted().joined(separator: ", ")
            return Self.json(
                404, WeChatErrorBody.json(errcode: 404, errmsg: "no such admin endpoint: use \(known)"), label: "admin")
        }
        guard route.methods.contains(method) else {
            let allowed = route.methods.sorted().joined(separator: " or ")
            return Self.json(
                405, WeChatErrorBody.json(errcode: 43002, errmsg: "require \(allowed) method for \(path)"), label: path)
        }
        return route.answer(path)
    }

    /// 200 once every account holds a valid token; else 503 naming the accounts without one.
    private static func readiness(_ accounts: AccountDirectory, label: String) -> CallOutcome {
        let missing = accounts.withoutToken()
        guard !missing.isEmpty else { return json(200, #"{"ready":true}"#, label: label) }
        if accounts.all.count == 1 {
            return json(503, #"{"ready":false,"reason":"no valid access_token yet"}"#, label: label)
        }
        let names = missing.map { "\($0.name) (\($0.appid))" }.joined(separator: ", ")
        return json(503, #"{"ready":false,"reason":"no valid access_token yet for "# + names + #""}"#, label: label)
    }

    static func json(_ status: Int, _ body: String, label: String) -> CallOutcome {
        let headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"]
        return CallOutcome(status: status, headers: headers, body: ByteBuffer(string: body), pathLabel: "admin", path: label)
    }
}
