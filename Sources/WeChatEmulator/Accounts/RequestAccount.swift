// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// How a request names the account it is made as, for the per-appid counters: a token endpoint by its `appid`
/// credential, every other call by its `access_token`.
enum RequestAccount: Sendable, Hashable {
    /// A token request for this appid.
    case appid(String)
    /// A call carrying this access_token.
    case token(String)
    /// Neither.
    case anonymous

    /// Reads the account named by `request`.
    init(_ request: EmulatorRequest) {
        switch request.path {
        case ClassicTokenEndpoint.path:
            self = request.query["appid"].map(Self.appid) ?? .anonymous
        case StableTokenEndpoint.path:
            self = request.decodeJSON(StableTokenEndpoint.Body.self)?.appid.map(Self.appid) ?? .anonymous
        default:
            self = request.query["access_token"].map(Self.token) ?? .anonymous
        }
    }
}

extension EmulatorState {
    /// The served appid `account` stands for, if any.
    func appid(of account: RequestAccount) -> String? {
        switch account {
        case .appid(let appid): serves(appid) ? appid : nil
        case .token(let token): appid(ofToken: token)
        case .anonymous: nil
        }
    }
}
