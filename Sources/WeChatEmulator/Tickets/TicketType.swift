// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The JS-SDK tickets `GET /cgi-bin/ticket/getticket` hands out, by its `type` parameter.
public enum TicketType: String, Sendable, Hashable, Codable, CaseIterable {
    /// `type=jsapi`: the jsapi_ticket that signs `wx.config`.
    case jsapi
    /// `type=wx_card`: the card api_ticket.
    case wxCard = "wx_card"
}

/// A ticket as handed to a caller: its value and its remaining lifetime in whole seconds.
public struct IssuedTicket: Sendable, Hashable {
    /// The ticket value (86 characters of `[A-Za-z0-9_-]`).
    public var value: String
    /// Remaining lifetime in whole seconds, as reported in `expires_in`.
    public var expiresIn: Int

    /// Creates an issued ticket.
    public init(value: String, expiresIn: Int) {
        self.value = value
        self.expiresIn = expiresIn
    }
}
