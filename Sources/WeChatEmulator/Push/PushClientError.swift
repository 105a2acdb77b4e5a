// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import WeChatPush

/// Why the push client cannot build a push or read the answer to one. ``label`` is bounded; ``description`` says
/// what was wrong, without the token, the key or message content. A case caused by a ``PushRefusal`` carries it.
public enum PushClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Compatible and safe modes, and reading an encrypted reply, need the account's EncodingAESKey.
    case missingKey
    /// The message cannot be written in the chosen format (a field holds what XML cannot carry).
    case badMessage(PushRefusal)
    /// The `MsgSignature` of an encrypted reply is missing or not the token's signature over its `TimeStamp`,
    /// `Nonce` and `Encrypt`.
    case badReplySignature
    /// The encrypted reply's signature holds, but its `Encrypt` does not decrypt to a message for this appid.
    case undecryptableReply(PushRefusal)
    /// The answer is neither `success`, nor empty, nor a well-formed XML or JSON reply.
    case unreadableReply(String)

    /// `missing_key`, `bad_message`, `bad_reply_signature`, `undecryptable_reply` or `unreadable_reply`.
    public var label: String {
        switch self {
        case .missingKey: "missing_key"
        case .badMessage: "bad_message"
        case .badReplySignature: "bad_reply_signature"
        case .undecryptableReply: "undecryptable_reply"
        case .unreadableReply: "unreadable_reply"
        }
    }

    public var description: String {
        switch self {
        case .missingKey:
            "\(label): the EncodingAESKey is needed to encrypt a push (compatible and safe modes) or read an encrypted reply"
        case .badMessage(let refusal): "\(label): the message cannot be written: \(refusal.message)"
        case .badReplySignature: "\(label): the reply's MsgSignature does not match the token (TimeStamp, Nonce, Encrypt)"
        case .undecryptableReply(let refusal): "\(label): the reply's Encrypt cannot be read: \(refusal.message)"
        case .unreadableReply(let why): "\(label): \(why)"
        }
    }
}
