// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOHTTP1
import NIOCore
import Prometheus
import SidecarCore

/// `/-/healthy`, `/-/ready`, `/-/metrics`, `/-/status`: outside the WeChat path space, GET or HEAD only.
struct AdminEndpoints: Sendable {
    static let prefix = "/-/"

    let tokens: TokenState
    let whitelist: WhitelistStore
    let metrics: SidecarMetrics
    let status: StatusReporter

    func respond(method: String, target: String) -> ProxyForwarder.Outcome {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        guard method == "GET" || method == "HEAD" else {
            return json(405, WeChatErrorBody.json(errcode: 43002, errmsg: "require GET method for \(path)"), label: path)
        }
        switch path {
        case "/-/healthy":
            return json(200, #"{"status":"ok"}"#, label: path)
        case "/-/ready":
            if tokens.validToken() != nil { return json(200, #"{"ready":true}"#, label: path) }
            return json(503, #"{"ready":false,"reason":"no valid access_token yet"}"#, label: path)
        case "/-/metrics":
            metrics.tokenExpiresIn.set(max(0, tokens.validToken()?.remaining(at: WallClock.now()) ?? 0).rounded())
            let headers: HTTPHeaders = ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"]
            return .init(status: 200, headers: headers, body: ByteBuffer(bytes: metrics.render()), pathLabel: "admin", path: path)
        case "/-/status":
            return json(200, status.json(), label: path)
        default:
            return json(404, WeChatErrorBody.json(errcode: 404, errmsg: "no such admin endpoint: use /-/healthy, /-/ready, /-/metrics or /-/status"), label: "admin")
        }
    }

    private func json(_ status: Int, _ body: String, label: String) -> ProxyForwarder.Outcome {
        let headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"]
        return .init(status: status, headers: headers, body: ByteBuffer(string: body), pathLabel: "admin", path: label)
    }
}
