// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1

/// The header fields of an answer, as the listener writes them into its head (``AnswerWire``).
enum AnswerFields: Sendable {
    /// The fields of an answer the sidecar makes (``SidecarAnswer``, the admin endpoints, a push's reply).
    case made(HTTPHeaders)
    /// WeChat's end-to-end fields as `Name: value` CRLF lines, filtered (``HeaderFilter/returnedResponseFields(of:)``)
    /// and scrubbed, written as they are.
    case upstream(ByteBuffer)

    /// Whether they hold a `Connection` field (WeChat's never do: it is hop-by-hop).
    var holdConnection: Bool {
        switch self {
        case .made(let headers): headers.contains(name: "connection")
        case .upstream: false
        }
    }
}
