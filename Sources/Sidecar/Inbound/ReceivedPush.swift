// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// A push that passed every check (``PushIntake``): signed with the account's token, within the replay window,
/// decrypted, its appid checked, parsed. What the app receives and what the answer to WeChat needs.
struct ReceivedPush: Sendable, Equatable {
    /// How WeChat wrote it.
    enum Syntax: String, Sendable {
        case xml
        case json
    }

    var syntax: Syntax
    /// True when it came encrypted (`encrypt_type=aes`): the reply must be encrypted too.
    var encrypted: Bool
    /// The message as the app receives it (JSON in Cloud Hosting's shape, or the XML as WeChat sent it).
    var forwarded: [UInt8]
    /// `application/json` or `text/xml`.
    var contentType: String
    /// The account's original id (`gh_…`).
    var toUserName: String
    /// The sender's openid.
    var fromUserName: String
    var createTime: String
    var msgType: String
    /// `MsgId` for messages; empty for events.
    var msgID: String
    /// `Event` for events.
    var event: String

    /// What identifies the message across WeChat's retries: `MsgId`, else (events) sender + `CreateTime`, as
    /// WeChat's documentation recommends, and the event's name, so two different events from one user in the same
    /// second (a `subscribe` and its `SCAN`) stay two.
    var deliveryKey: String {
        msgID.isEmpty ? "e:\(fromUserName):\(createTime):\(event)" : "m:\(msgID)"
    }

    /// The message's id for logs: `MsgId`, or the event and its time.
    var logID: String {
        msgID.isEmpty ? "\(event.isEmpty ? msgType : event)@\(createTime)" : msgID
    }
}
