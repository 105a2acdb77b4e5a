// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import NIOHTTP1

/// What the sidecar writes back for one request (an upstream answer passed on, or an answer the sidecar makes),
/// with what the access log and the metrics need.
struct CallOutcome: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// The whitelist entry the path matched, or `denied` / `invalid`: a bounded metric label.
    var pathLabel: String
    /// The path as sent, when it passed validation (safe to log).
    var path: String?
    /// WeChat's errcode when its answer was JSON, or the sidecar's own errcode.
    var errcode: Int?
    /// Why the sidecar answered itself, if it did.
    var answerLabel: String?
    var retriedWithNewToken = false
    /// The account the call ran as, once it was chosen (for the access log).
    var appid: String?
    var closeConnection = false
    /// More fields for the access-log line (a push's message id); never content, token or key.
    var details: Logger.Metadata? = nil
}

