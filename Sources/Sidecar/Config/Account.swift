// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

extension SidecarConfiguration {
    /// One WeChat account the sidecar serves: `accounts.<name>.*`, or the top-level keys of a single-account file.
    public struct Account: Sendable {
        /// The operator's name for it (`accounts.<name>`; `default` for a single-account file): the label in logs,
        /// status and metrics.
        public var name: String
        /// `appid`.
        public var appid: String
        /// `kind`: what the account is, which decides its defaults (tickets).
        public var kind: AccountKind
        /// The AppSecret and where it came from. Never printed.
        public var secret: Secret
        /// `token.*`.
        public var token: Token
        /// The account's `whitelist.file`, else the top-level one.
        public var whitelist: Whitelist
        /// The account's `rate_limits`, else the top-level ones (in buckets of its own either way).
        public var rateLimits: [RateLimitRule]
        /// `tickets`: the JS-SDK tickets kept fresh (official accounts: both by default).
        public var tickets: [TicketKind]
        /// `ticket_files.<kind>`: where a ticket is written, atomically like the token; absent for none.
        public var ticketFiles: [TicketKind: String]
        /// The key prefix of this account's settings (`accounts.shop.`, or `` for a single-account file).
        public var keyPrefix: String
        /// `message.*`: the account's pushes on the inbound listener; `nil` when it takes none.
        public var message: Message? = nil
        /// `api_security.*`: signing and encryption of this account's calls to the paths WeChat secures; `nil`: none.
        public var apiSecurity: ApiSecurity? = nil

        /// The refresh policy derived from ``Token/refreshInterval``.
        public var refreshPolicy: RefreshPolicy { RefreshPolicy(interval: token.refreshInterval) }
    }

    /// `kind`.
    public enum AccountKind: String, Sendable, CaseIterable {
        case miniprogram
        case officialaccount
    }

    /// A JS-SDK ticket (`GET /cgi-bin/ticket/getticket?type=…`).
    public enum TicketKind: String, Sendable, CaseIterable, Hashable, Comparable {
        /// `jsapi_ticket`, for `wx.config`.
        case jsapi
        /// The card `api_ticket`.
        case wxCard = "wx_card"

        public static func < (lhs: TicketKind, rhs: TicketKind) -> Bool { lhs.rawValue < rhs.rawValue }
    }
}
