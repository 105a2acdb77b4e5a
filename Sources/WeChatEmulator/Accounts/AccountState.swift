// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Everything one account owns: its tokens (both pools, with their own rotation and force budget) and its
/// JS-SDK tickets. No account's calls touch another's.
struct AccountState: Sendable {
    /// The account's tokens.
    var tokens = TokenBook()
    /// The account's tickets.
    var tickets = TicketBook()

    /// A fresh account using `settings`.
    init(settings: EmulatorSettings) {
        apply(settings)
    }

    /// Applies the lifetimes and overlap of `settings` to tokens and tickets issued from now on.
    mutating func apply(_ settings: EmulatorSettings) {
        tokens.lifetime = Double(settings.tokenLifetime)
        tokens.overlap = Double(settings.overlap)
        tickets.lifetime = Double(settings.ticketLifetime)
        tickets.overlap = Double(settings.overlap)
    }
}
