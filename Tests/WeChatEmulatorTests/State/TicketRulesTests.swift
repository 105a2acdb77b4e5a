// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import WeChatEmulator

/// One account's tickets: the same ticket while it is far from expiry, a new one within `overlap` of expiry or
/// once it is dead, each type on its own.
@Suite("Ticket rules")
struct TicketRulesTests {
    static let start = 1_700_000_000.0

    @Test(
        "the same ticket comes back with its remaining lifetime until it is within the overlap of expiry",
        arguments: [
            (0.0, 7200, TicketEvent.reused), (1.5, 7198, .reused), (6899.0, 301, .reused), (6900.0, 7200, .rotated),
            (7199.0, 7200, .rotated), (7200.0, 7200, .issued), (90_000.0, 7200, .issued),
        ])
    func remainingLifetime(elapsed: Double, expiresIn: Int, event: TicketEvent) {
        var book = TicketBook()
        let (first, firstEvent) = book.ticket(.jsapi, at: Self.start)
        #expect(firstEvent == .issued)
        #expect(first.value.count == TicketBook.length)
        let (again, againEvent) = book.ticket(.jsapi, at: Self.start + elapsed)
        #expect(again.expiresIn == expiresIn)
        #expect(againEvent == event)
        #expect((again.value == first.value) == (event == .reused))
    }

    @Test("types are independent; invalidation forgets every type")
    func typesAndInvalidation() {
        var book = TicketBook()
        let (jsapi, _) = book.ticket(.jsapi, at: Self.start)
        let (card, cardEvent) = book.ticket(.wxCard, at: Self.start)
        #expect(cardEvent == .issued)
        #expect(card.value != jsapi.value)
        #expect(book.current(.jsapi, at: Self.start + 10)?.value == jsapi.value)
        book.invalidateAll()
        #expect(book.current(.jsapi, at: Self.start + 10) == nil)
        #expect(book.ticket(.wxCard, at: Self.start + 10).1 == .issued)
    }

    @Test("settings apply to every account, and to tickets issued from then on")
    func settingsApply() {
        var state = EmulatorState(settings: EmulatorSettings(ticketLifetime: 60), appids: ["wxa", "wxb"])
        let first = state.withAccount("wxb") { $0.tickets.ticket(.jsapi, at: Self.start).0 }
        #expect(first.expiresIn == 60)
        state.settings.ticketLifetime = 30
        let later = state.withAccount("wxb") { $0.tickets.ticket(.jsapi, at: Self.start + 100).0 }
        #expect(later.expiresIn == 30)
        #expect(state.withAccount(nil) { $0.tickets.ticket(.jsapi, at: Self.start).0.expiresIn } == 30)
    }
}
