// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

/// The test controls of a running emulator: clock, token and ticket settings, invalidation, faults and counters.
///
/// A method that takes no appid means the primary account (`EmulatorConfiguration.appid`), except
/// `invalidateAllTokens()` and `invalidateAllTickets()`, which mean every account.
///
/// All methods are synchronous and thread-safe (one lock around the whole state). The same controls are
/// reachable over HTTP under `/-/emulator/` (see `KnobEndpoints`).
public final class EmulatorKnobs: Sendable {
    private let state: Mutex<EmulatorState>
    private let initialSettings: EmulatorSettings
    /// The appids served, the primary one first.
    public let appids: [String]

    /// Creates knobs over a fresh state with `settings`, serving `appids` (the primary one first).
    public init(settings: EmulatorSettings = EmulatorSettings(), appids: [String] = [EmulatorConfiguration().appid]) {
        self.initialSettings = settings
        self.appids = appids
        self.state = Mutex(EmulatorState(settings: settings, appids: appids))
    }

    // MARK: Clock

    /// Emulator time in seconds since 1970: the wall clock plus `clockOffset`.
    public var now: Double {
        state.withLock { Self.wallClock() + $0.clockOffset }
    }

    /// Seconds the emulator clock runs ahead of the wall clock.
    public var clockOffset: Double {
        state.withLock { $0.clockOffset }
    }

    /// Moves the emulator clock forward (or back, with a negative value) by `seconds`.
    public func advanceClock(by seconds: Double) {
        state.withLock { $0.clockOffset += seconds }
    }

    // MARK: Settings

    /// The current settings.
    public var settings: EmulatorSettings {
        state.withLock { $0.settings }
    }

    /// Sets the lifetime of tokens issued from now on (existing tokens keep theirs).
    public func setTokenLifetime(_ seconds: Int) {
        update(EmulatorSettingsUpdate(tokenLifetime: seconds))
    }

    /// Sets the overlap applied to tokens superseded from now on, and the stable rotation window.
    public func setOverlap(_ seconds: Int) {
        update(EmulatorSettingsUpdate(overlap: seconds))
    }

    /// Sets the lifetime of tickets issued from now on (existing tickets keep theirs).
    public func setTicketLifetime(_ seconds: Int) {
        update(EmulatorSettingsUpdate(ticketLifetime: seconds))
    }

    /// Sets the default `getwxacode` image size.
    public func setImageBytes(_ bytes: Int) {
        update(EmulatorSettingsUpdate(imageBytes: bytes))
    }

    /// Applies a partial settings change and returns the resulting settings.
    @discardableResult
    func update(_ change: EmulatorSettingsUpdate) -> EmulatorSettings {
        state.withLock { state in
            var settings = state.settings
            change.apply(to: &settings)
            state.settings = settings
            return settings
        }
    }

    // MARK: Tokens

    /// Kills every token issued so far, of every account: each then answers 40001. The next token call issues a
    /// new one.
    public func invalidateAllTokens() {
        state.withLock { $0.updateAccounts(nil) { $0.tokens.invalidateAll() } }
    }

    /// Kills every token of every account, and the stable endpoint keeps answering normal requests with the dead
    /// token until someone sends `force_refresh`: the case where a fleet must force, once.
    public func invalidateAllTokensUntilForced() {
        state.withLock { $0.updateAccounts(nil) { $0.tokens.invalidateAll(untilForced: true) } }
    }

    /// Kills every token issued so far to the account `appid` (40001); the other accounts' tokens keep working.
    public func invalidateTokens(appid: String) {
        state.withLock { $0.updateAccounts(appid) { $0.tokens.invalidateAll() } }
    }

    /// The latest live token of `pool` of the account `appid` (`nil`: the primary one), with its remaining
    /// lifetime, if any.
    public func currentToken(_ pool: TokenPool, appid: String? = nil) -> IssuedToken? {
        withState { state, now in state.withAccount(appid) { $0.tokens.current(pool, at: now) } }
    }

    /// What a protected API would answer for `token` right now, whichever account it belongs to.
    public func check(token: String) -> TokenCheck {
        withState { state, now in state.check(token: token, at: now).0 }
    }

    /// The appid of the account `token` was issued to, while the emulator remembers it (alive, or dead less
    /// than a day); `nil` for a token it never issued.
    public func appid(ofToken token: String) -> String? {
        state.withLock { $0.appid(ofToken: token) }
    }

    // MARK: Tickets

    /// The current live ticket of `type` of the account `appid` (`nil`: the primary one), with its remaining
    /// lifetime, if any.
    public func currentTicket(_ type: TicketType, appid: String? = nil) -> IssuedTicket? {
        withState { state, now in state.withAccount(appid) { $0.tickets.current(type, at: now) } }
    }

    /// Forgets the tickets of every account: the next `getticket` of each type issues a new one.
    public func invalidateAllTickets() {
        state.withLock { $0.updateAccounts(nil) { $0.tickets.invalidateAll() } }
    }

    /// Forgets the tickets of the account `appid`: its next `getticket` of each type issues a new one.
    public func invalidateTickets(appid: String) {
        state.withLock { $0.updateAccounts(appid) { $0.tickets.invalidateAll() } }
    }

    // MARK: Faults

    /// Adds a fault after those already in force.
    public func addFault(_ fault: EmulatorFault) {
        state.withLock { $0.faults.add(fault) }
    }

    /// Removes every fault.
    public func clearFaults() {
        state.withLock { $0.faults.clear() }
    }

    /// The faults in force, with the uses left in `count`.
    public var faults: [EmulatorFault] {
        state.withLock { $0.faults.faults }
    }

    // MARK: Counters

    /// A snapshot of the counters.
    public var stats: EmulatorStats {
        state.withLock { $0.stats }
    }

    /// Zeroes the counters.
    public func resetStats() {
        state.withLock { $0.stats = EmulatorStats() }
    }

    // MARK: Reset

    /// Returns to the state at start: initial settings, no tokens or tickets, no faults, zero counters, clock
    /// offset 0.
    public func reset() {
        state.withLock { $0 = EmulatorState(settings: initialSettings, appids: appids) }
    }

    // MARK: Internal access

    /// Runs `body` under the lock with the emulator time.
    func withState<Result: Sendable>(_ body: (inout EmulatorState, Double) throws -> Result) rethrows -> Result {
        try state.withLock { state in
            try body(&state, Self.wallClock() + state.clockOffset)
        }
    }

    /// A new request id: `<hex seconds>-<hex counter>-<hex random>`, shaped like WeChat's `rid`.
    func nextRequestID() -> String {
        let number = state.withLock { state in
            state.requestCounter += 1
            return state.requestCounter
        }
        let seconds = String(UInt32(truncatingIfNeeded: Int(Self.wallClock())), radix: 16)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(seconds)-\(String(number, radix: 16))-\(random)"
    }

    private static func wallClock() -> Double {
        Date().timeIntervalSince1970
    }
}
