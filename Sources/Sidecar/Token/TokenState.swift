// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Synchronization

/// The token the sidecar holds now and how the last refresh went. Read synchronously on the request path
/// (one uncontended lock), written by ``TokenRefresher`` only.
public final class TokenState: Sendable {
    /// What `/-/status` and readiness report.
    public struct Snapshot: Sendable {
        /// The token held, if any; it may have expired (see ``validToken(at:)``).
        public var token: AccessToken?
        /// When the last refresh attempt finished, and how.
        public var lastAttemptAt: Double?
        public var lastResult: String = "none"
        /// The last failure's message (never a secret or token), cleared by a success.
        public var lastError: String?
        public var consecutiveFailures = 0
        /// When the next scheduled refresh is due.
        public var nextRefreshAt: Double?
        /// The forced refreshes made, and what may still be forced.
        public var forceBudget = ForceRefreshBudget()
        /// Forced refreshes used in the last 24 hours.
        public var forcesUsed: Int { forceBudget.used(at: WallClock.now()) }
    }

    private let snapshot = Mutex(Snapshot())
    private let waiters = Mutex<Waiters>(Waiters())

    private struct Waiters {
        var nextID = 0
        var continuations: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    public init() {}

    /// Everything, copied.
    public var current: Snapshot { snapshot.withLock { $0 } }

    /// The held token if it has not expired at `now`.
    public func validToken(at now: Double = WallClock.now()) -> AccessToken? {
        snapshot.withLock { state in
            guard let token = state.token, token.isValid(at: now) else { return nil }
            return token
        }
    }

    /// Applies `change` under the lock; wakes ``waitForToken()`` callers once a token is held.
    func update(_ change: (inout Snapshot) -> Void) {
        let hasToken = snapshot.withLock { state in
            change(&state)
            return state.token != nil
        }
        guard hasToken else { return }
        let woken = waiters.withLock { list in
            defer { list.continuations = [:] }
            return Array(list.continuations.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once a token is published (at once if one already is), or when the task is cancelled. The refresher
    /// publishes a token after it wrote the token file (or logged why it could not): whoever waits here (readiness,
    /// systemd's READY=1) can rely on the file too.
    public func waitForToken() async {
        let id = waiters.withLock { list in
            defer { list.nextID += 1 }
            return list.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = waiters.withLock { list in
                    if Task.isCancelled || snapshot.withLock({ $0.token != nil }) { return true }
                    list.continuations[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            waiters.withLock { $0.continuations.removeValue(forKey: id) }?.resume()
        }
    }
}
