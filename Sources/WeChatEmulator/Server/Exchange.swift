// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore

/// What an API handler gets: the request, the emulator's knobs and credentials, the request id and a logger.
struct Exchange: Sendable {
    /// The request.
    var request: EmulatorRequest
    /// The emulator state.
    let knobs: EmulatorKnobs
    /// The appid and secret the token endpoints accept.
    let configuration: EmulatorConfiguration
    /// This request's id (also in the `x-emulator-request-id` header and in error `rid`s).
    let requestID: String
    /// A logger carrying the request id.
    let logger: Logger

    /// A WeChat error reply carrying this request's id.
    func error(_ error: EmulatorErrcode) -> Reply {
        Reply.error(error, requestID: requestID)
    }

    /// The `access_token` check every protected API starts with: `nil` when the token is good.
    ///
    /// Missing or empty → 41001; never issued, invalidated, or superseded past its overlap → 40001;
    /// known but past its natural expiry → 42001.
    func accessTokenError() -> EmulatorErrcode? {
        guard let token = request.query["access_token"], !token.isEmpty else {
            return .accessTokenMissing
        }
        switch knobs.check(token: token) {
        case .valid: return nil
        case .expired: return .accessTokenExpired
        case .invalid: return .invalidCredential
        }
    }

    /// What `rid/get` tells of this call once it failed with `reply`.
    func ridRecord(of reply: Reply, startedAt: Double, endedAt: Double) -> RidRecord {
        RidRecord(
            invokeTime: Int(startedAt), costInMs: max(0, Int((endedAt - startedAt) * 1000)),
            requestURL: request.rawQuery ?? "", requestBody: String(decoding: request.bodyBytes, as: UTF8.self),
            responseBody: String(buffer: reply.body), clientIP: request.remoteIP ?? "")
    }
}
