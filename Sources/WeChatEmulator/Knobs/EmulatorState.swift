// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Everything mutable in the emulator, kept behind the knobs' lock.
struct EmulatorState: Sendable {
    /// The appids served, the primary one first.
    let appids: [String]
    /// Each account's tokens and tickets, by appid.
    private(set) var accounts: [String: AccountState] = [:]
    /// Faults in force.
    var faults = FaultTable()
    /// Counters.
    var stats = EmulatorStats()
    /// Seconds added to the wall clock.
    var clockOffset: Double = 0
    /// Numbers request ids.
    var requestCounter = 0
    /// Recent failed calls by rid, for `POST /cgi-bin/openapi/rid/get`.
    var rids = RidLog()
    /// The settings; a change applies to every account.
    var settings: EmulatorSettings {
        didSet {
            for appid in accounts.keys {
                accounts[appid]?.apply(settings)
            }
        }
    }

    /// A fresh state serving `appids` (the primary one first) with `settings`.
    init(settings: EmulatorSettings, appids: [String]) {
        self.settings = settings
        self.appids = appids
        for appid in appids {
            accounts[appid] = AccountState(settings: settings)
        }
    }

    /// The primary account's appid.
    var primaryAppID: String {
        appids.first ?? ""
    }

    // MARK: Accounts

    /// Runs `body` on the state of the account `appid` (`nil`: the primary one).
    mutating func withAccount<Result>(_ appid: String?, _ body: (inout AccountState) -> Result) -> Result {
        body(&accounts[appid ?? primaryAppID, default: AccountState(settings: settings)])
    }

    /// Runs `body` on the state of every account, or of the account `appid` only (nothing when it is not served).
    mutating func updateAccounts(_ appid: String?, _ body: (inout AccountState) -> Void) {
        for key in appids where appid == nil || key == appid {
            body(&accounts[key, default: AccountState(settings: settings)])
        }
    }

    /// The appid whose token `token` is (alive or not, as long as it is remembered).
    func appid(ofToken token: String) -> String? {
        accounts.first { $0.value.tokens.record(of: token) != nil }?.key
    }

    /// What a protected API answers for `token` at `now`, and whose token it is.
    func check(token: String, at now: Double) -> (TokenCheck, appid: String?) {
        guard let appid = appid(ofToken: token), let account = accounts[appid] else { return (.invalid, nil) }
        return (account.tokens.check(token, at: now), appid)
    }

    /// Whether `appid` is served.
    func serves(_ appid: String) -> Bool {
        accounts[appid] != nil
    }

    // MARK: Counting

    /// Counts a request to `path`, made as the account `appid` when known.
    mutating func count(path: String, appid: String?) {
        stats.requests += 1
        stats.requestsByPath[path, default: 0] += 1
        if let appid {
            stats.requestsByAppID[appid, default: [:]][path, default: 0] += 1
        }
    }

    /// Counts an errcode answered (0 and `nil` are not counted).
    mutating func count(errcode: Int?) {
        guard let errcode, errcode != 0 else { return }
        stats.errcodes[errcode, default: 0] += 1
    }
}
