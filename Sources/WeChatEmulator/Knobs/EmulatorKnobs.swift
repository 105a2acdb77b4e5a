// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

/// The test controls of a running emulator: clock, token settings, invalidation, faults and counters.
///
/// All methods are synchronous and thread-safe (one lock around the whole state). The same controls are
/// reachable over HTTP under `/-/emulator/` (see `KnobEndpoints`).
public final class EmulatorKnobs: Sendable {
    private let state: Mutex<EmulatorState>
    private let initialSettings: EmulatorSettings

    /// Creates knobs over a fresh state with `settings`.
    public init(settings: EmulatorSettings = EmulatorSettings()) {
        self.initialSettings = settings
        self.state = Mutex(EmulatorState(settings: settings))
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

    /// Kills every token issued so far: each then answers 40001. The next token call issues a new one.
    public func invalidateAllTokens() {
        state.withLock { $0.tokens.invalidateAll() }
    }

    /// The latest live token of `pool`, with its remaining lifetime, if any.
    public func currentToken(_ pool: TokenPool) -> IssuedToken? {
        withState { state, now in state.tokens.current(pool, at: now) }
    }

    /// What a protected API would answer for `token` right now.
    public func check(token: String) -> TokenCheck {
        withState { state, now in state.tokens.check(token, at: now) }
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

    /// Returns to the state at start: initial settings, no tokens, no faults, zero counters, clock offset 0.
    public func reset() {
        state.withLock { $0 = EmulatorState(settings: initialSettings) }
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
