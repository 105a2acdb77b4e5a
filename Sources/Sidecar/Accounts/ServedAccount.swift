// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging

/// One WeChat account at run time: the owner of its token (state, refresher, file), and the whitelist and quota
/// its calls are checked against. Built once at start from ``SidecarConfiguration/Account``.
public struct ServedAccount: Sendable {
    /// The operator's name (`accounts.<name>`, `default`): the label in logs and status.
    public let name: String
    public let appid: String
    public let kind: SidecarConfiguration.AccountKind
    public let tokens: TokenState
    public let refresher: TokenRefresher
    /// The account's whitelist (shared with every account that uses the same file).
    public let whitelist: WhitelistStore
    public let metrics: AccountMetrics
    /// The JS-SDK tickets held (empty kinds for an account that keeps none).
    public let tickets: TicketState
    /// Keeps the tickets fresh; `nil` when the account keeps none.
    public let ticketKeeper: TicketKeeper?
    let configuration: SidecarConfiguration.Account
    let tokenFile: TokenFileWriter
    let quota: QuotaGuard
}

/// The accounts served, the default first, looked up by appid for `from_appid`.
public struct AccountDirectory: Sendable {
    public let all: [ServedAccount]

    /// The account of calls without `from_appid`.
    public var defaultAccount: ServedAccount { all[0] }

    /// The account with this appid, if the sidecar serves it (a linear scan: accounts are few).
    public func account(appid: some StringProtocol) -> ServedAccount? {
        all.first { $0.appid.utf8.elementsEqual(appid.utf8) }
    }

    /// The account a request names (`from_appid` on a proxied call, `"appid"` in an admin body; the default without
    /// one), if the sidecar serves it and the caller's key may use it (`grant`: the appids it may; `nil`: all).
    func choose(appid: Substring?, grant: Set<String>?) -> Result<ServedAccount, SidecarAnswer> {
        let account: ServedAccount
        if let appid {
            guard let chosen = self.account(appid: appid) else { return .failure(.unknownAccount(appid)) }
            account = chosen
        } else {
            account = defaultAccount
        }
        if let grant, !grant.contains(account.appid) { return .failure(.accountNotGranted(account.appid)) }
        return .success(account)
    }

    /// The account named `name` in the configuration.
    public func account(named name: String) -> ServedAccount? {
        all.first { $0.name == name }
    }

    /// Whether every account holds a valid token (what readiness means).
    public func allHoldTokens(at now: Double = WallClock.now()) -> Bool {
        all.allSatisfy { $0.tokens.validToken(at: now) != nil }
    }

    /// The accounts without a valid token, for the readiness answer.
    public func withoutToken(at now: Double = WallClock.now()) -> [ServedAccount] {
        all.filter { $0.tokens.validToken(at: now) == nil }
    }
}
