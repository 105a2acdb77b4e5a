// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Prometheus
import ServiceLifecycle
import SidecarCore

/// Owns every token fetch: the first at start (retried until it succeeds), the scheduled ones, and the
/// forced ones the proxy asks for when WeChat rejects a token. One fetch at a time (single-flight).
///
/// The schedule is wall-clock based and checked every second, so a host that was suspended refreshes as
/// soon as it wakes. The file is checked every few seconds and rewritten if it was removed or altered.
public actor TokenRefresher: Service {
    let endpoint: any TokenSource
    let probe: any TokenLiveness
    /// The one owner of what the refresher knows between attempts: the token, failures, the next refresh, the
    /// force budget. The refresher keeps no copy of any of it.
    let state: TokenState
    let file: any TokenStore
    /// Wall-clock seconds (``WallClock/now()`` in the daemon).
    let clock: @Sendable () -> Double
    let policy: RefreshPolicy
    let metrics: AccountMetrics
    let redactor: Redactor
    let logger: Logger

    private var refreshInFlight: Task<Result<AccessToken, TokenFetchError>, Never>?
    private var recoveryInFlight: Task<AccessToken?, Never>?
    /// The failing token the last recovery was for, and when it last fetched and probed for it.
    private var lastRecovery: (failing: String, fetchedAt: Double, probedAt: Double)?
    private var lastFileCheck = 0.0
    private var fileHoldsToken = false

    /// How often the file is checked for removal or alteration, in seconds.
    static let fileCheckInterval = 5.0
    /// At most one normal fetch per failing token in this many seconds, whoever reports it.
    static let recoveryFetchInterval = 30.0
    /// At most one probe per failing token in this many seconds: reports in between change nothing. This bounds
    /// how late a real invalidation is noticed after reports that proved false.
    static let recoveryProbeInterval = 5.0
    /// The random wait, in seconds, between a probe that says the token is dead and the fetch that may force.
    let forceDelay: ClosedRange<Double>
    /// After this sidecar's own force was refused as too soon: how long, beyond ``forceDelay``'s upper bound (by
    /// when the rest of the fleet has woken), the others get to fetch and force before it fetches once more.
    static let forceSettle = 0.25

    public init(
        endpoint: any TokenSource, probe: any TokenLiveness, state: TokenState, file: any TokenStore, policy: RefreshPolicy,
        metrics: AccountMetrics, redactor: Redactor, logger: Logger, forceDelay: ClosedRange<Double> = 0.05...1.5,
        clock: @escaping @Sendable () -> Double = { WallClock.now() }
    ) {
        self.clock = clock
        self.forceDelay = forceDelay
        self.endpoint = endpoint
        self.probe = probe
        self.state = state
        self.file = file
        self.policy = policy
        self.metrics = metrics
        self.redactor = redactor
        self.logger = logger
    }

    // MARK: Service

    /// Refreshes on schedule until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    private func loop() async {
        while !Task.isCancelled {
            if clock() >= state.current.nextRefreshAt ?? 0 {
                await refresh()
            }
            await maintainFile(at: clock())
            let wait = max(0.05, min(1.0, (state.current.nextRefreshAt ?? 0) - clock()))
            do {
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            } catch {
                return
            }
        }
    }

    // MARK: Refresh

    /// Whether no fetch or recovery is in flight.
    public var isIdle: Bool { refreshInFlight == nil && recoveryInFlight == nil }

    /// Fetches a token now unless a fetch is already in flight, in which case its result is shared.
    @discardableResult
    public func refresh(force: Bool = false) async -> Result<AccessToken, TokenFetchError> {
        if let refreshInFlight { return await refreshInFlight.value }
        let task = Task { await self.performRefresh(force: force) }
        refreshInFlight = task
        let result = await task.value
        refreshInFlight = nil
        return result
    }

    private func performRefresh(force: Bool) async -> Result<AccessToken, TokenFetchError> {
        do {
            let answer = try await endpoint.fetch(forceRefresh: force)
            let token = AccessToken(value: answer.token, fetchedAt: clock(), expiresIn: answer.expiresIn)
            // The file first: whoever sees the token held (readiness, READY=1) can rely on the file too.
            await writeFile(token)
            adopt(token, expiresIn: answer.expiresIn)
            return .success(token)
        } catch {
            recordFailure(error)
            return .failure(error)
        }
    }

    private func adopt(_ token: AccessToken, expiresIn: Int) {
        // Known to the redactor before anyone can use it, so no answer can carry it back to a caller.
        redactor.remember(token: token.value)
        let previous = state.current.token
        let next = token.fetchedAt + Double(RefreshSchedule.delayAfterSuccess(expiresIn: expiresIn, policy: policy))
        state.update { snapshot in
            snapshot.token = token
            snapshot.lastAttemptAt = token.fetchedAt
            snapshot.lastResult = "success"
            snapshot.lastError = nil
            snapshot.consecutiveFailures = 0
            snapshot.nextRefreshAt = next
        }
        metrics.tokenRefreshes("success").increment()
        let changed = previous?.value != token.value
        logger.log(
            level: changed ? .info : .debug,
            changed ? "access_token refreshed" : "access_token unchanged",
            metadata: [
                "wxsidecar.token.fingerprint": "\(token.fingerprint)",
                "wxsidecar.token.expires_in": "\(expiresIn)",
                "wxsidecar.token.next_refresh_in": "\(Int(next - token.fetchedAt))",
                "wxsidecar.token.mode": "\(endpoint.mode.rawValue)",
            ])
    }

    private func recordFailure(_ error: TokenFetchError) {
        let now = clock()
        let held = state.validToken(at: now)
        let failures = state.current.consecutiveFailures + 1
        let delay = RefreshSchedule.delayAfterFailure(
            consecutiveFailures: failures, pace: error.pace, policy: policy,
            jitter: Double.random(in: 0...1), heldTokenRemaining: held?.remaining(at: now))
        let next = now + delay
        let result = error.isConfigurationError ? "config_error" : "error"
        state.update { snapshot in
            snapshot.lastAttemptAt = now
            snapshot.lastResult = result
            snapshot.lastError = error.message
            snapshot.consecutiveFailures = failures
            snapshot.nextRefreshAt = next
        }
        metrics.tokenRefreshes(result).increment()
        logger.log(
            level: error.isConfigurationError || held == nil ? .error : .warning,
            "access_token refresh failed: \(error.message)",
            metadata: [
                "wxsidecar.error.label": "\(error.label)",
                "wxsidecar.token.consecutive_failures": "\(failures)",
                "wxsidecar.token.retry_in": "\(Int(delay.rounded(.up)))",
                "wxsidecar.token.held": "\(held.map { "\($0.fingerprint), \(Int($0.remaining(at: now)))s left" } ?? "none")",
            ])
    }

    // MARK: 40001 recovery

    /// A token to retry a call with after an answer said `failing` is no good (40001, 40014, 42001), or `nil` when
    /// the call should not be retried.
    ///
    /// A caller chooses the API and may get any answer, so the answer alone never spends the account's token
    /// quota or rotates the token that every other app and sidecar uses:
    /// - a newer token is held: retry with it (no token call);
    /// - `failing` is not the current token (an old one): nothing to recover;
    /// - a recovery for `failing` is in flight: share its result; one started less than
    ///   ``recoveryProbeInterval`` ago: no call at all;
    /// - otherwise one recovery: a probe (``TokenProbe``) whose answer no caller shapes; only if WeChat says there
    ///   that the token is dead, a short random wait (``forceDelay``: many sidecars of one appid see the same
    ///   death at once, and the first to wake forces for all of them), then in stable mode a normal fetch (at most
    ///   once per ``recoveryFetchInterval``), which returns the newer token another sidecar forced; only if it
    ///   still returns the failing token, a `force_refresh` (classic mode: a new fetch) within the limits of
    ///   ``ForceRefreshBudget``; when that refuses because this sidecar forced less than 30 s ago, one more normal
    ///   fetch once the rest of the fleet has had time to force (``forceSettle``).
    ///
    /// Every outcome is counted in `wxsidecar_token_recoveries_total{result}`.
    public func recover(from failing: String) async -> AccessToken? {
        if let current = state.validToken(at: clock()), current.value != failing {
            return recovered(.newerTokenHeld, current)
        }
        guard state.current.token?.value == failing else { return recovered(.notCurrent, nil) }
        if let recoveryInFlight {
            let result = await recoveryInFlight.value
            return recovered(.shared, result)
        }
        let now = clock()
        var last = lastRecovery?.failing == failing
            ? lastRecovery! : (failing: failing, fetchedAt: -Double.infinity, probedAt: -Double.infinity)
        guard now - last.probedAt >= Self.recoveryProbeInterval else { return recovered(.throttled, nil) }
        let fetch = endpoint.mode == .stable && now - last.fetchedAt >= Self.recoveryFetchInterval
        if fetch { last.fetchedAt = now }
        last.probedAt = now
        lastRecovery = last
        let task = Task { await self.performRecovery(from: failing, fetch: fetch) }
        recoveryInFlight = task
        let result = await task.value
        recoveryInFlight = nil
        return result
    }

    private func performRecovery(from failing: String, fetch: Bool) async -> AccessToken? {
        let verdict = await probe.check(failing)
        guard case .dead(let errcode) = verdict else {
            logger.warning(
                verdict == .alive
                    ? "an API answered that the access_token is invalid, but WeChat accepts it (probe \(TokenProbe.path)); not refreshing"
                    : "an API answered that the access_token is invalid and the probe could not tell; not forcing a refresh",
                metadata: ["wxsidecar.token.probe": "\(verdict)"])
            return recovered(verdict == .alive ? .tokenAlive : .probeFailed, nil)
        }
        // The fleet's other sidecars saw the same death: whoever wakes first forces, the others fetch its token.
        if let (outcome, token) = await newerToken(than: failing, after: Double.random(in: forceDelay), fetch: fetch) {
            return recovered(outcome, token)
        }
        let now = clock()
        if let refusal = state.current.forceBudget.refusal(at: now) {
            metrics.tokenForcedRefreshes(refusal.rawValue).increment()
            logger.warning(
                "WeChat rejected the current access_token but a forced refresh is not allowed now",
                metadata: ["wxsidecar.token.force_refused": "\(refusal.rawValue)"])
            // This sidecar forced less than the gap ago, but was only the first of the fleet to wake: once the others
            // have woken and had time to force (the delay's upper bound and ``forceSettle``), one more normal fetch
            // picks up their token, so that its callers are not left on the dead one until its next probe. Bounded
            // by the sidecar's own forces (at most `dailyLimit` a day).
            if refusal == .tooSoon, endpoint.mode == .stable,
                let (outcome, token) = await newerToken(
                    than: failing, after: forceDelay.upperBound + Self.forceSettle, fetch: true)
            {
                return recovered(outcome, token)
            }
            return recovered(.forceRefused, nil)
        }
        state.update { $0.forceBudget.record(at: now) }
        let used = state.current.forceBudget.used(at: now)
        metrics.tokenForcedRefreshes("done").increment()
        logger.notice(
            "forcing an access_token refresh: WeChat rejected the current one",
            metadata: ["wxsidecar.token.forces_used_24h": "\(used)", "wxsidecar.wechat.errcode": "\(errcode)"])
        if case .success(let token) = await refresh(force: endpoint.mode == .stable), token.value != failing {
            return recovered(.forced, token)
        }
        return recovered(.forceFailed, nil)
    }

    /// After waiting `seconds`: a newer token than `failing` already held, or (when `fetch`) one a normal fetch
    /// returns, with how it was found; `nil` when neither.
    private func newerToken(
        than failing: String, after seconds: Double, fetch: Bool
    ) async -> (TokenRecoveryOutcome, AccessToken)? {
        if seconds > 0 { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
        if let current = state.validToken(at: clock()), current.value != failing { return (.newerTokenHeld, current) }
        if fetch, case .success(let token) = await refresh(), token.value != failing { return (.fetchedNewer, token) }
        return nil
    }

    /// Counts a recovery's outcome and passes its token through.
    private func recovered(_ outcome: TokenRecoveryOutcome, _ token: AccessToken?) -> AccessToken? {
        metrics.tokenRecoveries[outcome]?.increment()
        return token
    }

    // MARK: File

    private func writeFile(_ token: AccessToken) async {
        do {
            if try await file.write(token) { metrics.tokenFileWrites("written").increment() }
            fileHoldsToken = true
        } catch {
            metrics.tokenFileWrites("error").increment()
            logger.error(
                "cannot write the token file; the proxy keeps working, apps reading the file do not get the new token",
                metadata: ["wxsidecar.token.file": "\(file.path)", "wxsidecar.error": "\(error)"])
        }
        lastFileCheck = clock()
    }

    /// Every few seconds: rewrite a removed or altered file; remove the file once the held token expired.
    private func maintainFile(at now: Double) async {
        guard now - lastFileCheck >= Self.fileCheckInterval, refreshInFlight == nil else { return }
        lastFileCheck = now
        guard let token = state.current.token else { return }
        if token.isValid(at: now) {
            do {
                if try await file.needsRewrite(for: token) {
                    logger.warning(
                        "the token file was removed or altered; rewriting it", metadata: ["wxsidecar.token.file": "\(file.path)"])
                    await writeFile(token)
                }
            } catch {
                // EMFILE, EACCES, a refused directory, a stuck file system: says nothing about the file itself.
                metrics.tokenFileWrites("error").increment()
                logger.error(
                    "cannot check the token file",
                    metadata: ["wxsidecar.token.file": "\(file.path)", "wxsidecar.error": "\(redactor.redact("\(error)"))"])
            }
        } else if fileHoldsToken {
            fileHoldsToken = false
            do {
                try await file.remove()
                metrics.tokenFileWrites("removed").increment()
                logger.error("the access_token expired with no replacement; removed the token file", metadata: ["wxsidecar.token.file": "\(file.path)"])
            } catch {
                logger.error("cannot remove the expired token file", metadata: ["wxsidecar.error": "\(error)"])
            }
        }
    }
}
