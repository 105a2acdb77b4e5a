// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// One push as WeChat writes it, before any encryption: the common head (`ToUserName`, `FromUserName`,
/// `CreateTime`, `MsgType`, and `Event` for an event), the kind's own fields, and `MsgId` for a message.
///
/// ``PushMessage/sample(_:toUserName:fromUserName:content:createTime:msgID:)`` fills in the fields of each kind as
/// WeChat's documentation shows them; ``xml`` and ``json()`` write the body.
public struct PushMessage: Sendable, Equatable {
    /// One element of the push, in document order.
    public struct Field: Sendable, Equatable {
        /// The element name, e.g. `Content`.
        public var name: String
        /// The value, and how WeChat writes it.
        public var value: Value

        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// A field's value: WeChat writes strings in CDATA and numbers bare.
    public enum Value: Sendable, Equatable {
        /// A string, written `<![CDATA[…]]>` in XML and as a JSON string.
        case text(String)
        /// A number in its exact digits (`1700000000`, `23.134521`), written bare in XML and as a JSON number.
        case number(String)

        /// The value as written between the tags (CDATA markers aside).
        public var text: String {
            switch self {
            case .text(let text), .number(let text): text
            }
        }
    }

    /// The account's original id (`gh_…`).
    public var toUserName: String
    /// The user's openid.
    public var fromUserName: String
    /// Seconds since 1970.
    public var createTime: Int64
    /// What the push is.
    public var kind: PushKind
    /// The kind's own fields, between the head and `MsgId`.
    public var fields: [Field]
    /// The message id (WeChat's 64-bit number); `nil` for an event.
    public var msgID: Int64?

    public init(
        toUserName: String, fromUserName: String, createTime: Int64, kind: PushKind, fields: [Field],
        msgID: Int64?
    ) {
        self.toUserName = toUserName
        self.fromUserName = fromUserName
        self.createTime = createTime
        self.kind = kind
        self.fields = fields
        self.msgID = msgID
    }

    /// Every element in WeChat's order: the head, the kind's fields, then `MsgId` when there is one.
    public var elements: [Field] {
        var head = [
            Field("ToUserName", .text(toUserName)), Field("FromUserName", .text(fromUserName)),
            Field("CreateTime", .number(String(createTime))), Field("MsgType", .text(kind.msgType)),
        ]
        if let event = kind.event { head.append(Field("Event", .text(event))) }
        let tail = msgID.map { [Field("MsgId", .number(String($0)))] } ?? []
        return head + fields + tail
    }
}
