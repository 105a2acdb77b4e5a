// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What WeChat pushes to an account's server URL: a user's message or an event. The raw value is the name the
/// command line takes (`text`, `event-subscribe`, …).
public enum PushKind: String, Sendable, CaseIterable, CustomStringConvertible {
    // MARK: Messages (each carries a `MsgId`)

    case text
    case image
    case voice
    case video
    case shortvideo
    case location
    case link

    // MARK: Events (`MsgType` `event`, no `MsgId`)

    case subscribe = "event-subscribe"
    case unsubscribe = "event-unsubscribe"
    case scan = "event-scan"
    case locationEvent = "event-location"
    case click = "event-click"
    case view = "event-view"

    /// The `MsgType` element: the kind itself for a message, `event` for an event.
    public var msgType: String {
        event == nil ? rawValue : "event"
    }

    /// The `Event` element of an event (`subscribe`, `SCAN`, …); `nil` for a message.
    public var event: String? {
        switch self {
        case .text, .image, .voice, .video, .shortvideo, .location, .link: nil
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .scan: "SCAN"
        case .locationEvent: "LOCATION"
        case .click: "CLICK"
        case .view: "VIEW"
        }
    }

    /// Whether WeChat numbers the push with a `MsgId` (messages do, events do not).
    public var hasMsgID: Bool { event == nil }

    public var description: String { rawValue }
}
