// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import SidecarCore

/// Refuses `CONNECT`: the sidecar cannot add a token inside a TLS tunnel, so callers must use `http://` URLs.
///
/// The refusal (403, errcode 85107, with the advice in the body) is written as it is, outside the ledger, and the
/// connection is closed.
enum TunnelRefusal {
    /// The refusal for a `CONNECT` to `authority`: a whole HTTP answer.
    static func response(authority: String) -> ByteBuffer {
        let rejection: PathRejection
        switch RequestTarget.parse(method: "CONNECT", target: authority) {
        case .failure(let refused): rejection = refused
        case .success: preconditionFailure("CONNECT is always refused")
        }
        let body = rejection.responseBody
        let head = "HTTP/1.1 \(rejection.status) Forbidden\r\nContent-Type: application/json; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        return ByteBuffer(string: head + body)
    }
}
