// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The token rules of the platform as a plain value: both pools, every token ever issued, and the force-refresh
/// bookkeeping. Every method takes the emulator time `now` (seconds since 1970), so tests drive it with tables.
///
/// - Classic (`GET /cgi-bin/token`): every call issues a new token and cuts the previous classic token's remaining
///   life to at most `overlap` seconds.
/// - Stable (`POST /cgi-bin/stable_token`): see `TokenBook+Stable.swift`.
/// - A token that dies at its natural expiry checks as `.expired` (42001); one invalidated, or superseded and past
///   its overlap, checks as `.invalid` (40001), as does a token never issued.
struct TokenBook: Sendable {
    // MARK: Settings

    /// Lifetime of a newly issued token, in seconds.
    var lifetime: Double = 7200
    /// How long a superseded token keeps working, and how close to expiry a stable token rotates.
    var overlap: Double = 300
    /// Forced refreshes closer together than this do not rotate.
    var forceInterval: Double = 30
    /// Effective forced refreshes allowed per (Beijing) day.
    var forcesPerDay = 20
    /// Records that died this long ago are forgotten (and then check as `.invalid`).
    var retention: Double = 86_400

    // MARK: State

    /// Every remembered token, by value.
    private(set) var records: [String: TokenRecord] = [:]
    /// The latest token of each pool.
    private(set) var latest: [TokenPool: String] = [:]
    /// Emulator time of the last force that rotated the stable token.
    var lastForceAt: Double?
    /// Effective forces per Beijing day number.
    var forcesByDay: [Int: Int] = [:]
    /// Normal stable requests get the latest token even though it was invalidated, until a force (see
    /// ``invalidateAll(untilForced:)``).
    var staleUntilForced = false

    private let generator = TokenGenerator()

    // MARK: Checking

    /// What a protected API answers for `token` at `now`.
    func check(_ token: String, at now: Double) -> TokenCheck {
        records[token]?.check(at: now) ?? .invalid
    }

    /// The latest token of `pool`, if it is still alive at `now`.
    func current(_ pool: TokenPool, at now: Double) -> IssuedToken? {
        guard let value = latest[pool], let record = records[value], record.isAlive(at: now) else { return nil }
        return record.issued(at: now)
    }

    /// The record of a token, for tests and diagnostics.
    func record(of token: String) -> TokenRecord? {
        records[token]
    }

    // MARK: Classic pool

    /// Issues a new classic token and cuts the previous one to at most `overlap` seconds.
    mutating func issueClassic(at now: Double) -> IssuedToken {
        if let previous = latest[.classic] {
            cut(previous, at: now)
        }
        return issue(.classic, at: now).issued(at: now)
    }

    // MARK: Invalidation

    /// Kills every known token at once: each one then checks as `.invalid` (40001). With `untilForced`, the
    /// stable endpoint keeps handing out the dead token to normal requests until a `force_refresh` (the worst case
    /// for a fleet: only a force brings a working token).
    mutating func invalidateAll(untilForced: Bool = false) {
        for key in records.keys {
            records[key]?.invalidated = true
        }
        if untilForced { staleUntilForced = true }
    }

    // MARK: Shared helpers

    /// Issues a fresh token with the full lifetime in `pool` and makes it the pool's latest.
    mutating func issue(_ pool: TokenPool, at now: Double) -> TokenRecord {
        var value = generator.next()
        while records[value] != nil {
            value = generator.next()
        }
        let record = TokenRecord(value: value, pool: pool, issuedAt: now, naturalExpiry: now + lifetime)
        records[value] = record
        latest[pool] = value
        forget(before: now - retention)
        return record
    }

    /// Cuts a token's remaining life to at most `overlap` seconds from `now`.
    mutating func cut(_ token: String, at now: Double) {
        guard var record = records[token] else { return }
        let cutoff = now + overlap
        if cutoff < record.expiresAt {
            record.cutoff = cutoff
            records[token] = record
        }
    }

    /// Forgets records that died before `horizon`, so a long-running emulator does not grow without bound.
    private mutating func forget(before horizon: Double) {
        records = records.filter { $0.value.expiresAt >= horizon || latest.values.contains($0.key) }
    }
}
