// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What happened on a ticket request.
enum TicketEvent: Sendable, Hashable {
    /// The current ticket was returned unchanged.
    case reused
    /// There was no live ticket of that type (none yet, expired, or invalidated): a new one was issued.
    case issued
    /// The current ticket was within `overlap` of expiry: a new one was issued.
    case rotated
}

/// One account's JS-SDK tickets as a plain value, one current ticket per type. Every method takes the emulator
/// time `now` (seconds since 1970), so tests drive it with tables.
///
/// Like the stable token: the same ticket comes back, with its remaining `expires_in`, until its remaining life
/// is at most `overlap`; then a new one is issued. Fetching a ticket never invalidates the previous one, and no
/// API checks tickets, so only the current one is remembered.
struct TicketBook: Sendable {
    /// The length of a ticket (WeChat's jsapi_ticket is 86 characters).
    static let length = 86

    // MARK: Settings

    /// Lifetime of a newly issued ticket, in seconds.
    var lifetime: Double = 7200
    /// How close to expiry a ticket rotates.
    var overlap: Double = 300

    // MARK: State

    /// The current ticket of each type: its value and when it dies.
    private var current: [TicketType: (value: String, expiresAt: Double)] = [:]

    private let generator = TokenGenerator(length: Self.length)

    /// Answers `GET /cgi-bin/ticket/getticket?type=…` at `now`.
    mutating func ticket(_ type: TicketType, at now: Double) -> (IssuedTicket, TicketEvent) {
        if let ticket = current[type], now < ticket.expiresAt {
            if ticket.expiresAt - now > overlap {
                return (Self.issued(ticket, at: now), .reused)
            }
            return (issue(type, at: now), .rotated)
        }
        return (issue(type, at: now), .issued)
    }

    /// The current ticket of `type`, if it is still alive at `now`.
    func current(_ type: TicketType, at now: Double) -> IssuedTicket? {
        guard let ticket = current[type], now < ticket.expiresAt else { return nil }
        return Self.issued(ticket, at: now)
    }

    /// Forgets every ticket: the next request of each type issues a new one.
    mutating func invalidateAll() {
        current = [:]
    }

    // MARK: Helpers

    private mutating func issue(_ type: TicketType, at now: Double) -> IssuedTicket {
        let ticket = (value: generator.next(), expiresAt: now + lifetime)
        current[type] = ticket
        return Self.issued(ticket, at: now)
    }

    private static func issued(_ ticket: (value: String, expiresAt: Double), at now: Double) -> IssuedTicket {
        IssuedTicket(value: ticket.value, expiresIn: max(0, Int((ticket.expiresAt - now).rounded(.down))))
    }
}
