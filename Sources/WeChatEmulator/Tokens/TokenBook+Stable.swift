// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What happened on a stable token request.
enum StableTokenEvent: Sendable, Hashable {
    /// The current token was returned unchanged.
    case reused
    /// There was no live token: a new one was issued.
    case issued
    /// The current token was within `overlap` of expiry: a new one was issued, the old one lives on to its expiry.
    case rotated
    /// `force_refresh` rotated at once and cut the old token to `overlap`.
    case forced
    /// `force_refresh` came less than `forceInterval` after the last effective force: nothing rotated.
    case forceTooSoon
}

/// The answer to a stable token request.
enum StableTokenOutcome: Sendable, Hashable {
    /// A token, and what happened to produce it.
    case granted(IssuedToken, StableTokenEvent)
    /// More than `forcesPerDay` effective forces today: errcode 45009.
    case forceQuotaExceeded
}

// MARK: - Stable pool

extension TokenBook {
    /// The Beijing (UTC+8) day number of `now`: the force quota resets at Beijing midnight.
    static func beijingDay(of now: Double) -> Int {
        Int(((now + 8 * 3600) / 86_400).rounded(.down))
    }

    /// Answers `POST /cgi-bin/stable_token` at `now`.
    ///
    /// - Without force: the current token with its remaining `expires_in`; when none is alive a new one is
    ///   issued; when its remaining life is at most `overlap` a new one is issued and the old one stays valid until
    ///   its own expiry.
    /// - With force: rotates at once and cuts the old token to `overlap`, unless the last effective force was less
    ///   than `forceInterval` ago (then the current token is returned unchanged); beyond `forcesPerDay` effective
    ///   forces in a Beijing day the answer is `.forceQuotaExceeded`.
    mutating func stableToken(forceRefresh: Bool, at now: Double) -> StableTokenOutcome {
        let current = latest[.stable].flatMap { records[$0] }.flatMap { $0.isAlive(at: now) ? $0 : nil }
        if forceRefresh {
            staleUntilForced = false
            return force(current: current, at: now)
        }
        if staleUntilForced, let dead = latest[.stable].flatMap({ records[$0] }), now < dead.expiresAt {
            return .granted(dead.issued(at: now), .reused)
        }
        guard let current else {
            return .granted(issue(.stable, at: now).issued(at: now), .issued)
        }
        if current.expiresAt - now <= overlap {
            return .granted(issue(.stable, at: now).issued(at: now), .rotated)
        }
        return .granted(current.issued(at: now), .reused)
    }

    private mutating func force(current: TokenRecord?, at now: Double) -> StableTokenOutcome {
        if let current, let lastForceAt, now - lastForceAt < forceInterval {
            return .granted(current.issued(at: now), .forceTooSoon)
        }
        let day = Self.beijingDay(of: now)
        let used = forcesByDay[day, default: 0]
        guard used < forcesPerDay else {
            return .forceQuotaExceeded
        }
        forcesByDay = [day: used + 1]
        lastForceAt = now
        if let current {
            cut(current.value, at: now)
        }
        return .granted(issue(.stable, at: now).issued(at: now), .forced)
    }
}
