// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import WeChatEmulator

/// The classic pool: every fetch issues a new token and cuts the previous one to `overlap`.
@Suite("Classic token rules")
struct ClassicTokenRulesTests {
    static let start = 1_700_000_000.0

    @Test("a classic token is 136 characters of [A-Za-z0-9_-] with the full lifetime")
    func issuedTokenShape() {
        var book = TokenBook()
        let token = book.issueClassic(at: Self.start)
        #expect(token.expiresIn == 7200)
        #expect(token.value.count == 136)
        #expect(token.value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        #expect(book.check(token.value, at: Self.start) == .valid)
    }

    @Test("every classic fetch issues a different token")
    func tokensAreUnique() {
        var book = TokenBook()
        let values = (0..<50).map { book.issueClassic(at: Self.start + Double($0)).value }
        #expect(Set(values).count == 50)
    }

    @Test(
        "the previous classic token lives on for the overlap, then answers 40001",
        arguments: [
            (0.0, TokenCheck.valid), (299.0, .valid), (299.9, .valid), (300.0, .invalid), (7200.0, .invalid),
            (100_000.0, .invalid),
        ])
    func previousTokenOverlap(elapsed: Double, expected: TokenCheck) {
        var book = TokenBook()
        let first = book.issueClassic(at: Self.start)
        let second = book.issueClassic(at: Self.start + 1000)
        #expect(book.check(first.value, at: Self.start + 1000 + elapsed) == expected)
        if elapsed < 6200 {
            #expect(book.check(second.value, at: Self.start + 1000 + elapsed) == .valid)
        }
    }

    @Test("a token with less than the overlap left is not extended and then simply expires (42001)")
    func cutNeverExtends() {
        var book = TokenBook()
        let first = book.issueClassic(at: Self.start)
        _ = book.issueClassic(at: Self.start + 7100)
        #expect(book.check(first.value, at: Self.start + 7199) == .valid)
        #expect(book.check(first.value, at: Self.start + 7200) == .expired)
        #expect(book.record(of: first.value)?.cutoff == nil)
    }

    @Test(
        "a token at its natural expiry answers 42001, an unknown one 40001",
        arguments: [(7199.0, TokenCheck.valid), (7200.0, .expired), (80_000.0, .expired)])
    func naturalExpiry(elapsed: Double, expected: TokenCheck) {
        var book = TokenBook()
        let token = book.issueClassic(at: Self.start)
        #expect(book.check(token.value, at: Self.start + elapsed) == expected)
        #expect(book.check("never-issued", at: Self.start + elapsed) == .invalid)
    }

    @Test("the lifetime and overlap settings apply to what is issued and cut afterwards")
    func settingsApply() {
        var book = TokenBook()
        book.lifetime = 60
        book.overlap = 5
        let first = book.issueClassic(at: Self.start)
        #expect(first.expiresIn == 60)
        _ = book.issueClassic(at: Self.start + 10)
        #expect(book.check(first.value, at: Self.start + 14) == .valid)
        #expect(book.check(first.value, at: Self.start + 15) == .invalid)
    }

    @Test("invalidating kills every token at once (40001) and the next fetch works")
    func invalidateAll() {
        var book = TokenBook()
        let classic = book.issueClassic(at: Self.start)
        guard case .granted(let stable, _) = book.stableToken(forceRefresh: false, at: Self.start) else {
            Issue.record("no stable token")
            return
        }
        book.invalidateAll()
        #expect(book.check(classic.value, at: Self.start + 1) == .invalid)
        #expect(book.check(stable.value, at: Self.start + 1) == .invalid)
        #expect(book.current(.classic, at: Self.start + 1) == nil)
        let fresh = book.issueClassic(at: Self.start + 2)
        #expect(book.check(fresh.value, at: Self.start + 3) == .valid)
    }

    @Test("a classic fetch does not touch the stable token")
    func poolsAreIndependent() {
        var book = TokenBook()
        guard case .granted(let stable, _) = book.stableToken(forceRefresh: false, at: Self.start) else {
            Issue.record("no stable token")
            return
        }
        for offset in 1...5 {
            _ = book.issueClassic(at: Self.start + Double(offset))
        }
        #expect(book.check(stable.value, at: Self.start + 3600) == .valid)
        #expect(book.current(.stable, at: Self.start + 3600)?.value == stable.value)
    }

    @Test("records dead for longer than the retention are forgotten")
    func retention() {
        var book = TokenBook()
        let old = book.issueClassic(at: Self.start)
        _ = book.issueClassic(at: Self.start + 10)
        #expect(book.check(old.value, at: Self.start + 7200) == .invalid)
        _ = book.issueClassic(at: Self.start + 200_000)
        #expect(book.record(of: old.value) == nil)
        #expect(book.records.count == 1)
    }
}
