// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes

/// `/redirect/…` (any method, emulator-only): `302 Found` whose `Location` and HTML body carry the request's raw
/// query, as a redirecting API would. Tests use it to prove the sidecar never hands its token to a caller.
enum RedirectEndpoint {
    static let prefix = "/redirect/"

    static func respond(to exchange: Exchange) -> Reply {
        let location = "https://mp.weixin.qq.com/landing" + (exchange.request.rawQuery.map { "?" + $0 } ?? "")
        var reply = Reply.bytes(
            Array("<html><body>Moved to <a href=\"\(location)\">\(location)</a></body></html>".utf8),
            contentType: "text/html; charset=utf-8", status: .found)
        reply.headers[.location] = location
        return reply
    }
}
