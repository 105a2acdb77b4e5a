// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// MARK: - TurnClock

/// The driver thread's time at the start of its current turn, for the streams' clocks.
///
/// libcurl calls every stream's progress callback on every turn (``CurlCallbacks/progress``), dozens of times per
/// call under load; one clock reading per turn instead of one per callback took that callback from about 2 % of the
/// sidecar's CPU to a fraction of it (BENCHMARKS.md). A stream's timeouts are whole seconds, a turn at most one.
/// Used on the driver thread only.
final class TurnClock {
    /// When the current turn began.
    private(set) var now = ContinuousClock.now

    /// Starts a turn.
    func advance() {
        now = .now
    }
}
