// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore

/// What an API handler gets: the request, the emulator's knobs and accounts, the request id and a logger.
struct Exchange: Sendable {
    /// The request.
    var request: EmulatorRequest
    /// The emulator state.
    let knobs: EmulatorKnobs
    /// The accounts (appid and secret) the token endpoints accept.
    let configuration: EmulatorConfiguration
    /// This request's id (also in the `x-emulator-request-id` header and in error `rid`s).
    let requestID: String
    /// A logger carrying the request id.
    let logger: Logger
    /// The appid of the account the call runs as: set by `authorize()` for the APIs behind the token check.
    var appid: String?

    /// A WeChat error reply carrying this request's id.
    func error(_ error: EmulatorErrcode) -> Reply {
        Reply.error(error, requestID: requestID)
    }

    /// The `access_token` check every protected API starts with: records in `appid`, and returns, the account
    /// the token belongs to (any served account's token is accepted).
    ///
    /// Missing or empty → 41001; never issued, invalidated, or superseded past its overlap → 40001;
    /// known but past its natural expiry → 42001.
    @discardableResult
    mutating func authorize() throws(EmulatorErrcode) -> String {
        guard let token = request.query["access_token"], !token.isEmpty else {
            throw .accessTokenMissing
        }
        let (check, owner) = knobs.withState { state, now in state.check(token: token, at: now) }
        switch (check, owner) {
        case (.valid, let owner?):
            appid = owner
            return owner
        case (.expired, _): throw .accessTokenExpired
        default: throw .invalidCredential
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
