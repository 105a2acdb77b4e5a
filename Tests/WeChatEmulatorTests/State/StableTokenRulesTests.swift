// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import WeChatEmulator

/// The stable pool: the same token while it is far from expiry, rotation within `overlap` of expiry,
/// forced refresh limited to one per 30 s and 20 a day.
@Suite("Stable token rules")
struct StableTokenRulesTests {
    /// 2023-11-14 22:13:20 UTC, i.e. 06:13:20 Beijing time.
    static let start = 1_700_000_000.0

    /// Grants a stable token or records an issue.
    static func grant(
        _ book: inout TokenBook, force: Bool = false, at now: Double, sourceLocation: SourceLocation = #_sourceLocation
    ) -> (IssuedToken, StableTokenEvent)? {
        switch book.stableToken(forceRefresh: force, at: now) {
        case .granted(let token, let event):
            return (token, event)
        case .forceQuotaExceeded:
            Issue.record("unexpected 45009", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test(
        "the same stable token comes back with its remaining lifetime until it is within the overlap of expiry",
        arguments: [
            (0.0, 7200, StableTokenEvent.reused), (1.5, 7198, .reused), (1000.0, 6200, .reused),
            (6855.0, 345, .reused), (6899.0, 301, .reused), (6900.0, 7200, .rotated), (7000.0, 7200, .rotated),
        ])
    func remainingLifetime(elapsed: Double, expiresIn: Int, event: StableTokenEvent) throws {
        var book = TokenBook()
        let (first, firstEvent) = try #require(Self.grant(&book, at: Self.start))
        #expect(firstEvent == .issued)
        #expect(first.expiresIn == 7200)
        let (again, againEvent) = try #require(Self.grant(&book, at: Self.start + elapsed))
        #expect(again.expiresIn == expiresIn)
        #expect(againEvent == event)
        #expect((again.value == first.value) == (event == .reused))
    }

    @Test("after a rotation near expiry the old token stays valid until its own expiry, then answers 42001")
    func rotationKeepsOldToken() throws {
        var book = TokenBook()
        let (old, _) = try #require(Self.grant(&book, at: Self.start))
        let (new, event) = try #require(Self.grant(&book, at: Self.start + 6950))
        #expect(event == .rotated)
        #expect(new.value != old.value)
        #expect(book.check(old.value, at: Self.start + 7199) == .valid)
        #expect(book.check(old.value, at: Self.start + 7200) == .expired)
        #expect(book.check(new.value, at: Self.start + 7200) == .valid)
        let (later, laterEvent) = try #require(Self.grant(&book, at: Self.start + 7000))
        #expect(later == IssuedToken(value: new.value, expiresIn: 7150))
        #expect(laterEvent == .reused)
    }

    @Test("a dead stable token is replaced by the next call")
    func deadTokenReplaced() throws {
        var book = TokenBook()
        let (old, _) = try #require(Self.grant(&book, at: Self.start))
        let (new, event) = try #require(Self.grant(&book, at: Self.start + 9000))
        #expect(event == .issued)
        #expect(new.value != old.value)
        #expect(new.expiresIn == 7200)
    }

    @Test(
        "a forced refresh rotates at once and the old token dies after the overlap with 40001",
        arguments: [(0.0, TokenCheck.valid), (299.0, .valid), (300.0, .invalid)])
    func forceCutsOldToken(elapsed: Double, expected: TokenCheck) throws {
        var book = TokenBook()
        let (old, _) = try #require(Self.grant(&book, at: Self.start))
        let (new, event) = try #require(Self.grant(&book, force: true, at: Self.start + 100))
        #expect(event == .forced)
        #expect(new.value != old.value)
        #expect(new.expiresIn == 7200)
        #expect(book.check(old.value, at: Self.start + 100 + elapsed) == expected)
        #expect(book.check(new.value, at: Self.start + 100 + elapsed) == .valid)
    }

    @Test(
        "a force less than 30 s after the previous effective force does not rotate",
        arguments: [(1.0, StableTokenEvent.forceTooSoon), (29.9, .forceTooSoon), (30.0, .forced), (45.0, .forced)])
    func forceInterval(gap: Double, event: StableTokenEvent) throws {
        var book = TokenBook()
        let (forced, _) = try #require(Self.grant(&book, force: true, at: Self.start))
        let (again, againEvent) = try #require(Self.grant(&book, force: true, at: Self.start + gap))
        #expect(againEvent == event)
        #expect((again.value == forced.value) == (event == .forceTooSoon))
    }

    @Test("ignored forces do not move the 30 s window")
    func ignoredForceKeepsWindow() throws {
        var book = TokenBook()
        let (first, _) = try #require(Self.grant(&book, force: true, at: Self.start))
        let (_, ignored) = try #require(Self.grant(&book, force: true, at: Self.start + 20))
        #expect(ignored == .forceTooSoon)
        let (second, event) = try #require(Self.grant(&book, force: true, at: Self.start + 31))
        #expect(event == .forced)
        #expect(second.value != first.value)
    }

    @Test("20 forces a Beijing day rotate; the 21st answers 45009; the quota returns at Beijing midnight")
    func dailyForceQuota() throws {
        var book = TokenBook()
        for index in 0..<20 {
            let (_, event) = try #require(Self.grant(&book, force: true, at: Self.start + Double(index) * 31))
            #expect(event == .forced)
        }
        #expect(book.stableToken(forceRefresh: true, at: Self.start + 20 * 31) == .forceQuotaExceeded)
        // Non-forced calls still work.
        let (_, plain) = try #require(Self.grant(&book, at: Self.start + 20 * 31 + 1))
        #expect(plain == .reused)
        // Beijing midnight after `start` (06:13:20 Beijing) is 17h46m40s later.
        let midnight = Self.start + 17 * 3600 + 46 * 60 + 40
        #expect(book.stableToken(forceRefresh: true, at: midnight - 1) == .forceQuotaExceeded)
        let (_, event) = try #require(Self.grant(&book, force: true, at: midnight))
        #expect(event == .forced)
    }

    @Test(
        "the force quota day is the Beijing (UTC+8) calendar day",
        arguments: [
            (1_700_000_000.0, 19_676), (1_700_063_999.0, 19_676), (1_700_064_000.0, 19_677), (0.0, 0),
            (57_599.0, 0), (57_600.0, 1),
        ])
    func beijingDay(now: Double, day: Int) {
        #expect(TokenBook.beijingDay(of: now) == day)
    }

    @Test("a force with no live token simply issues one")
    func forceWithoutToken() throws {
        var book = TokenBook()
        let (token, event) = try #require(Self.grant(&book, force: true, at: Self.start))
        #expect(event == .forced)
        #expect(token.expiresIn == 7200)
    }

    @Test("after invalidation the next stable call issues a new token")
    func invalidationReplacesStable() throws {
        var book = TokenBook()
        let (old, _) = try #require(Self.grant(&book, at: Self.start))
        book.invalidateAll()
        let (new, event) = try #require(Self.grant(&book, at: Self.start + 1))
        #expect(event == .issued)
        #expect(new.value != old.value)
        #expect(book.check(old.value, at: Self.start + 2) == .invalid)
    }

    @Test("invalidated until forced: normal calls get the dead token, the first force a new one, later calls that")
    func invalidationUntilForced() throws {
        var book = TokenBook()
        let (old, _) = try #require(Self.grant(&book, at: Self.start))
        book.invalidateAll(untilForced: true)
        let (again, reused) = try #require(Self.grant(&book, at: Self.start + 1))
        #expect(reused == .reused)
        #expect(again.value == old.value)
        #expect(book.check(again.value, at: Self.start + 1) == .invalid)
        let (forced, event) = try #require(Self.grant(&book, force: true, at: Self.start + 2))
        #expect(event == .forced)
        #expect(forced.value != old.value)
        let (after, afterEvent) = try #require(Self.grant(&book, at: Self.start + 3))
        #expect(afterEvent == .reused)
        #expect(after.value == forced.value)
        #expect(book.check(after.value, at: Self.start + 3) == .valid)
    }

    @Test("a stable fetch does not touch the classic token")
    func poolsAreIndependent() throws {
        var book = TokenBook()
        let classic = book.issueClassic(at: Self.start)
        _ = try #require(Self.grant(&book, at: Self.start + 1))
        _ = try #require(Self.grant(&book, force: true, at: Self.start + 2))
        _ = try #require(Self.grant(&book, force: true, at: Self.start + 40))
        #expect(book.check(classic.value, at: Self.start + 3600) == .valid)
    }
}
