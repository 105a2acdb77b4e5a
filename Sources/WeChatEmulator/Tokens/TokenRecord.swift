// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Everything the emulator remembers about one issued token. Times are emulator seconds since 1970.
struct TokenRecord: Sendable, Hashable {
    let value: String
    let pool: TokenPool
    let issuedAt: Double
    /// When the token dies if nothing else happens (issue time + lifetime).
    let naturalExpiry: Double
    /// Set when a newer token supersedes this one and cuts its life short (classic re-fetch, forced stable rotation).
    var cutoff: Double?
    /// Set by the invalidate knob: the token is dead at once.
    var invalidated = false

    /// The moment the token stops working.
    var expiresAt: Double {
        guard let cutoff else { return naturalExpiry }
        return min(cutoff, naturalExpiry)
    }

    /// Whether the token still works at `now`.
    func isAlive(at now: Double) -> Bool {
        !invalidated && now < expiresAt
    }

    /// Remaining lifetime in whole seconds, never negative.
    func expiresIn(at now: Double) -> Int {
        max(0, Int((expiresAt - now).rounded(.down)))
    }

    /// What a protected API answers for this token at `now`.
    ///
    /// A token that died of old age is "expired" (42001); one that was invalidated or superseded and then
    /// ran out its overlap is "not latest" (40001), as on the real platform.
    func check(at now: Double) -> TokenCheck {
        if invalidated { return .invalid }
        if now < expiresAt { return .valid }
        if let cutoff, cutoff < naturalExpiry { return .invalid }
        return .expired
    }

    /// The token as handed to a caller at `now`.
    func issued(at now: Double) -> IssuedToken {
        IssuedToken(value: value, expiresIn: expiresIn(at: now))
    }
}
