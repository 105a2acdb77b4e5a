// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Sidecar
import SidecarCore
import Synchronization
import Testing

/// The refresher's rules in memory: its effects (token source, probe, store, clock) are injected, so schedule,
/// failures and recovery are checked without sockets or files, to the second.
@Suite struct TokenRefresherRulesTests {
    /// WeChat as a script: what each fetch answers, what the probe says; counts every call.
    final class FakeWeChat: TokenSource, TokenLiveness, TokenStore, Sendable {
        struct State {
            var now = 1_000_000.0
            var answers: [Result<TokenEndpoint.Answer, TokenFetchError>] = []
            var fallback: Result<TokenEndpoint.Answer, TokenFetchError> = .success(.init(token: "T1", expiresIn: 7200))
            var forced: Result<TokenEndpoint.Answer, TokenFetchError> = .success(.init(token: "FORCED", expiresIn: 7200))
            var verdict = TokenProbe.Verdict.alive
            var fetches = 0
            var forces = 0
            var probes = 0
            var stored: String?
        }

        let state = Mutex(State())
        let mode = SidecarConfiguration.TokenMode.stable
        let path = "memory"

        func fetch(forceRefresh: Bool) async throws(TokenFetchError) -> TokenEndpoint.Answer {
            let result = state.withLock { state in
                if forceRefresh {
                    state.forces += 1
                    return state.forced
                }
                state.fetches += 1
                return state.answers.isEmpty ? state.fallback : state.answers.removeFirst()
            }
            return try result.get()
        }

        func check(_ token: String) async -> TokenProbe.Verdict {
            state.withLock { state in
                state.probes += 1
                return state.verdict
            }
        }

        func needsRewrite(for token: AccessToken) async throws -> Bool { state.withLock { $0.stored != token.value } }
        func write(_ token: AccessToken) async throws -> Bool {
            state.withLock { state in
                defer { state.stored = token.value }
                return state.stored != token.value
            }
        }
        func remove() async throws { state.withLock { $0.stored = nil } }

        var now: Double { state.withLock { $0.now } }
        func advance(_ seconds: Double) { state.withLock { $0.now += seconds } }
    }

    static func refresher(_ wechat: FakeWeChat) -> (TokenRefresher, TokenState) {
        let state = TokenState()
        let refresher = TokenRefresher(
            endpoint: wechat, probe: wechat, state: state, file: wechat, policy: RefreshPolicy(),
            metrics: SidecarMetrics().account("wx0123456789abcdef"), redactor: Redactor(secrets: []),
            logger: Logger(label: "rules") { _ in SwiftLogNoOpLogHandler() }, forceDelay: 0...0,
            clock: { wechat.now })
        return (refresher, state)
    }

    static let transient = TokenFetchError(kind: .transport("connect"), message: "cannot reach")
    static let wrongSecret = TokenFetchError(kind: .errcode(40125), message: "invalid appsecret")

    @Test func aSuccessPublishesTheTokenAfterTheStoreAndSchedulesTheNextRefresh() async throws {
        let wechat = FakeWeChat()
        let (refresher, state) = Self.refresher(wechat)
        let token = try await refresher.refresh().get()
        await state.waitForToken()
        #expect(wechat.state.withLock { $0.stored } == "T1")
        let snapshot = state.current
        #expect(snapshot.token == token)
        #expect(snapshot.lastResult == "success")
        // 7200 s tokens: the next refresh is at the configured interval (600 s), on the injected clock.
        #expect(snapshot.nextRefreshAt == wechat.now + 600)
    }

    @Test func failuresBackOffAndKeepTheHeldTokenUntilASuccessResetsThem() async throws {
        let wechat = FakeWeChat()
        let (refresher, state) = Self.refresher(wechat)
        _ = await refresher.refresh()
        wechat.state.withLock { $0.answers = [.failure(Self.transient), .failure(Self.transient), .failure(Self.wrongSecret)] }
        for (attempt, range) in [(1, 0.5...1.0), (2, 1.0...2.0)] {
            wechat.advance(10)
            let result = await refresher.refresh()
            #expect((try? result.get()) == nil)
            let snapshot = state.current
            #expect(snapshot.consecutiveFailures == attempt)
            #expect(snapshot.lastResult == "error")
            #expect(range.contains((snapshot.nextRefreshAt ?? 0) - wechat.now), "attempt \(attempt)")
            #expect(state.validToken(at: wechat.now)?.value == "T1")
        }
        // A configuration error backs off slowly (≥ 30 s, the slow pace's base 60 s halved by jitter)…
        wechat.advance(10)
        _ = await refresher.refresh()
        #expect(state.current.lastResult == "config_error")
        #expect((state.current.nextRefreshAt ?? 0) - wechat.now >= 30)
        // …and a success resets the count.
        wechat.advance(60)
        _ = await refresher.refresh()
        #expect(state.current.consecutiveFailures == 0)
        #expect(state.current.lastResult == "success")
    }

    @Test func aReportOfATokenThatIsNotCurrentOrAliveSpendsNothing() async throws {
        let wechat = FakeWeChat()
        let (refresher, state) = Self.refresher(wechat)
        _ = await refresher.refresh()
        // An old token: the call is retried with the one held, nothing is fetched.
        #expect(await refresher.recover(from: "SOME_OLD_TOKEN")?.value == "T1")
        #expect(await refresher.recover(from: "T1") == nil)  // the probe says alive
        let calls = wechat.state.withLock { ($0.fetches, $0.forces, $0.probes) }
        #expect(calls.0 == 1 && calls.1 == 0 && calls.2 == 1)
        // Reports within the probe interval change nothing: no second probe.
        wechat.advance(1)
        #expect(await refresher.recover(from: "T1") == nil)
        #expect(wechat.state.withLock { $0.probes } == 1)
        #expect(state.current.forcesUsed == 0)
    }

    @Test func aDeadTokenIsForcedOnlyWhenANormalFetchStillReturnsIt() async throws {
        let wechat = FakeWeChat()
        let (refresher, state) = Self.refresher(wechat)
        _ = await refresher.refresh()
        wechat.state.withLock { $0.verdict = .dead(errcode: 40001) }
        let fresh = await refresher.recover(from: "T1")
        #expect(fresh?.value == "FORCED")
        #expect(wechat.state.withLock { ($0.fetches, $0.forces) } == (2, 1))
        #expect(state.current.forceBudget.recentForces.count == 1)
        // A newer token held answers later reports of the dead one at once.
        #expect(await refresher.recover(from: "T1")?.value == "FORCED")
        #expect(wechat.state.withLock { $0.forces } == 1)
    }

    @Test func aTokenAnotherSidecarForcedIsFetchedNotForcedAgain() async throws {
        let wechat = FakeWeChat()
        let (refresher, _) = Self.refresher(wechat)
        _ = await refresher.refresh()
        wechat.state.withLock {
            $0.verdict = .dead(errcode: 40001)
            $0.fallback = .success(.init(token: "T2_FROM_ANOTHER_SIDECAR", expiresIn: 7200))
        }
        #expect(await refresher.recover(from: "T1")?.value == "T2_FROM_ANOTHER_SIDECAR")
        #expect(wechat.state.withLock { $0.forces } == 0)
    }

    @Test func theForceBudgetRefusesASecondForceWithinThirtySeconds() async throws {
        let wechat = FakeWeChat()
        let (refresher, state) = Self.refresher(wechat)
        _ = await refresher.refresh()
        wechat.state.withLock { $0.verdict = .dead(errcode: 40001) }
        #expect(await refresher.recover(from: "T1")?.value == "FORCED")
        // The forced token dies too, 10 s later: probed again (5 s apart) but not forced (30 s gap).
        wechat.state.withLock { $0.fallback = .success(.init(token: "FORCED", expiresIn: 7200)) }
        wechat.advance(10)
        #expect(await refresher.recover(from: "FORCED") == nil)
        #expect(wechat.state.withLock { $0.forces } == 1)
        wechat.advance(30)
        wechat.state.withLock { $0.forced = .success(.init(token: "FORCED_AGAIN", expiresIn: 7200)) }
        #expect(await refresher.recover(from: "FORCED")?.value == "FORCED_AGAIN")
        #expect(state.current.forceBudget.recentForces.count == 2)
    }

    /// Many sidecars of one appid, the token invalidated twice 25 s apart: the sidecar that forced the first time
    /// wakes first the second time too, may not force (30 s gap), and must still not leave its callers on the dead
    /// token until its next probe: it fetches once more, after the fleet had time to force (FleetTests' flake).
    @Test func aForceRefusedAsTooSoonFetchesOnceMoreForTheTokenAnotherSidecarForced() async throws {
        let wechat = FakeWeChat()
        let (refresher, state) = Self.refresher(wechat)
        _ = await refresher.refresh()
        wechat.state.withLock { $0.verdict = .dead(errcode: 40001) }
        #expect(await refresher.recover(from: "T1")?.value == "FORCED")
        wechat.advance(25)
        // The fetch before the refused force still returns the dead token; the one after it, another's forced one.
        wechat.state.withLock {
            $0.answers = [.success(.init(token: "FORCED", expiresIn: 7200)),
                          .success(.init(token: "T3_FORCED_BY_ANOTHER", expiresIn: 7200))]
        }
        let fetchesBefore = wechat.state.withLock { $0.fetches }
        #expect(await refresher.recover(from: "FORCED")?.value == "T3_FORCED_BY_ANOTHER")
        #expect(wechat.state.withLock { ($0.fetches - fetchesBefore, $0.forces) } == (2, 1))
        #expect(state.validToken(at: wechat.now)?.value == "T3_FORCED_BY_ANOTHER")
        // When nobody else forced either (29 s after this sidecar's force), the refusal stands: the recovery's
        // fetch and the one more, both the dead token, and nil.
        wechat.advance(4)
        wechat.state.withLock { $0.fallback = .success(.init(token: "T3_FORCED_BY_ANOTHER", expiresIn: 7200)) }
        let fetchesThen = wechat.state.withLock { $0.fetches }
        #expect(await refresher.recover(from: "T3_FORCED_BY_ANOTHER") == nil)
        #expect(wechat.state.withLock { ($0.fetches - fetchesThen, $0.forces) } == (2, 1))
    }
}
