// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// How one report of a rejected token ended (``TokenRefresher/recover(from:)``): the `result` label of
/// `wxsidecar_token_recoveries_total`.
public enum TokenRecoveryOutcome: String, Sendable, CaseIterable {
    /// A newer token was already held: the call was retried with it, no token call.
    case newerTokenHeld = "newer_token_held"
    /// The rejected token is not the current one: nothing to do.
    case notCurrent = "not_current"
    /// Joined a recovery already in flight for the same token.
    case shared
    /// A recovery for the same token ended less than the recovery interval ago: no token call.
    case throttled
    /// A normal fetch returned a newer token.
    case fetchedNewer = "fetched_newer"
    /// The probe says the token works: the answer came from the API, not from a dead token. No retry.
    case tokenAlive = "token_alive"
    /// The probe failed (unreachable, unexpected answer): no force.
    case probeFailed = "probe_failed"
    /// The probe says the token is dead and a forced refresh replaced it.
    case forced
    /// The token is dead but the force budget (30 s apart, 20 a day) refuses a force now.
    case forceRefused = "force_refused"
    /// The forced refresh itself failed or returned the same token.
    case forceFailed = "force_failed"
}
