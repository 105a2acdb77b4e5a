// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import NIOHTTP1

/// What the sidecar writes back for one request (an upstream answer passed on, or an answer the sidecar makes),
/// with what the access log and the metrics need.
struct CallOutcome: Sendable {
    var status: Int
    var fields: AnswerFields
    var body: ByteBuffer
    /// The whitelist entry the path matched, or `denied` / `invalid`: a bounded metric label.
    var pathLabel: String
    /// The path as sent, when it passed validation (safe to log).
    var path: String?
    /// Why the sidecar answered itself, if it did.
    var answerLabel: String?
    var retriedWithNewToken = false
    /// The account the call ran as, once it was chosen (for the access log).
    var appid: String?
    var closeConnection = false
    /// More fields for the access-log line (a push's message id); never content, token or key.
    var details: Logger.Metadata? = nil
    private var errcodeOrigin: ErrcodeOrigin

    /// Where the errcode comes from.
    private enum ErrcodeOrigin: Sendable {
        /// The sidecar's own errcode, or none.
        case known(Int?)
        /// WeChat's answer as it came (before scrubbing), read only when asked.
        case upstream(contentType: String?, body: ByteBuffer)
    }

    init(
        status: Int, headers: HTTPHeaders, body: ByteBuffer, pathLabel: String, path: String?, errcode: Int? = nil,
        answerLabel: String? = nil, appid: String? = nil, closeConnection: Bool = false
    ) {
        self.status = status
        self.fields = .made(headers)
        self.body = body
        self.pathLabel = pathLabel
        self.path = path
        self.errcodeOrigin = .known(errcode)
        self.answerLabel = answerLabel
        self.appid = appid
        self.closeConnection = closeConnection
    }

    /// An upstream answer: its errcode is read from `upstreamBody` (the answer before scrubbing) when first asked.
    /// A body too large to be an error answer has none, and is not kept beside a scrubbed copy; a streamed answer
    /// (`upstreamBody` `nil`) has none either.
    init(
        status: Int, fields: ByteBuffer, body: ByteBuffer, pathLabel: String, path: String?, contentType: String?,
        upstreamBody: ByteBuffer?, appid: String?
    ) {
        self.init(status: status, headers: [:], body: body, pathLabel: pathLabel, path: path, appid: appid)
        self.fields = .upstream(fields)
        if let upstreamBody, upstreamBody.readableBytes <= TokenErrorDetector.maximumBytes {
            self.errcodeOrigin = .upstream(contentType: contentType, body: upstreamBody)
        }
    }

    /// WeChat's errcode when its answer was JSON, or the sidecar's own errcode.
    ///
    /// An upstream answer's is read from its body on each ask (``TokenErrorDetector/errcode(contentType:body:)``):
    /// only the access log asks, at `info`, and ``carriesTokenError`` where the body may hold one. That pass
    /// validates the whole answer and was the largest single cost of a 1 KB call (BENCHMARKS.md, session 11).
    var errcode: Int? {
        get {
            switch errcodeOrigin {
            case .known(let errcode): errcode
            case .upstream(let contentType, let body): TokenErrorDetector.errcode(contentType: contentType, body: body)
            }
        }
        set { errcodeOrigin = .known(newValue) }
    }

    /// Whether WeChat rejected the token the call was sent with (errcode 40001, 40014 or 42001): worth one retry
    /// with a fresh token.
    var carriesTokenError: Bool {
        switch errcodeOrigin {
        case .known(let errcode): TokenErrorDetector.isTokenError(errcode)
        case .upstream(let contentType, let body): TokenErrorDetector.carriesTokenError(contentType: contentType, body: body)
        }
    }
}
