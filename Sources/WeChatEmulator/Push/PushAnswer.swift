// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import WeChatPush

/// What the server's answer to a push means to WeChat.
public enum PushAnswer: Sendable, Equatable {
    /// `success` or an empty body: nothing is sent back to the user.
    case none
    /// A passive reply to the user (decrypted when it came in an encrypted envelope).
    case message(PushReplyMessage)
}

/// A passive reply: the message WeChat would show the user.
public struct PushReplyMessage: Sendable, Equatable {
    /// The reply's XML (or JSON), decrypted when it was encrypted.
    public var body: [UInt8]
    /// The reply parsed: the root and its elements (a JSON reply's keys as elements).
    public var root: PushXMLElement
    /// Whether the reply came in an envelope whose `MsgSignature` verified.
    public var wasEncrypted: Bool

    public init(body: [UInt8], root: PushXMLElement, wasEncrypted: Bool) {
        self.body = body
        self.root = root
        self.wasEncrypted = wasEncrypted
    }
}

extension PushAnswer {
    /// Reads an answer body as WeChat does: `success` (or nothing) is no reply; an envelope with `Encrypt` is
    /// verified (`MsgSignature` over the token, `TimeStamp`, `Nonce` and `Encrypt`) and decrypted; anything else
    /// is read as a plain reply. XML and JSON answers are both read.
    ///
    /// - Parameters:
    ///   - token: The account's message Token.
    ///   - cipher: The account's cipher; needed only for an encrypted reply.
    public static func decode(
        _ body: [UInt8], token: String, cipher: PushCipher?
    ) -> Result<PushAnswer, PushClientError> {
        let trimmed = Array(String(decoding: body, as: UTF8.self).trimmingASCIISpaces().utf8)
        if trimmed.isEmpty || trimmed.elementsEqual("success".utf8) { return .success(.none) }
        return Result { () throws(PushClientError) in try read(trimmed, token: token, cipher: cipher) }
    }

    /// A reply that is not `success`: plain, or an envelope to verify and decrypt.
    private static func read(_ body: [UInt8], token: String, cipher: PushCipher?) throws(PushClientError) -> PushAnswer {
        let root = try parse(body)
        guard let encrypted = root["Encrypt"] else {
            return .message(PushReplyMessage(body: body, root: root, wasEncrypted: false))
        }
        guard let cipher else { throw .missingKey }
        do {
            try PushSignature.verifyMessage(
                root["MsgSignature"]?.text, token: token, timestamp: root["TimeStamp"]?.text ?? "",
                nonce: root["Nonce"]?.text ?? "", encrypted: encrypted.text)
        } catch {
            throw .badReplySignature
        }
        let inner: [UInt8]
        do {
            inner = try cipher.decrypt(encrypted.text)
        } catch {
            throw .undecryptableReply(error)
        }
        return .message(PushReplyMessage(body: inner, root: try parse(inner), wasEncrypted: true))
    }

    /// An XML or JSON answer as an element tree.
    private static func parse(_ body: [UInt8]) throws(PushClientError) -> PushXMLElement {
        switch body.first {
        case UInt8(ascii: "<"):
            do {
                return try PushXML.parse(body)
            } catch {
                throw .unreadableReply("the answer is not well-formed XML (\(error.message))")
            }
        case UInt8(ascii: "{"):
            guard let root = PushJSONReader.element(body) else {
                throw .unreadableReply("the answer is not a JSON object")
            }
            return root
        default:
            throw .unreadableReply("the answer is neither success, nor empty, nor XML or JSON")
        }
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs and line breaks.
    fileprivate func trimmingASCIISpaces() -> String {
        let spaces: Set<Character> = [" ", "\t", "\r", "\n"]
        return String(drop { spaces.contains($0) }.reversed().drop { spaces.contains($0) }.reversed())
    }
}
