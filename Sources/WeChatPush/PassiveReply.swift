// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The app's passive reply, Cloud Hosting's JSON (`{"MsgType":"text","Content":"…"}`, `{"MsgType":"news",
/// "Articles":[{…}]}`), turned into the XML WeChat expects; and the encrypted envelope of safe mode.
public enum PassiveReply {
    /// The reply kinds WeChat accepts, each with the key that carries its payload.
    public static let payloadKeys: [String: String] = [
        "text": "Content", "image": "Image", "voice": "Voice", "video": "Video", "music": "Music", "news": "Articles",
    ]

    /// What the sidecar fills in when the app leaves it out: the reply goes back to the sender, from the account.
    public struct Defaults: Sendable, Equatable {
        /// The user's openid: the push's `FromUserName`.
        public var toUserName: String
        /// The account's original id: the push's `ToUserName`.
        public var fromUserName: String
        /// Seconds since 1970.
        public var createTime: Int64

        public init(toUserName: String, fromUserName: String, createTime: Int64) {
            self.toUserName = toUserName
            self.fromUserName = fromUserName
            self.createTime = createTime
        }
    }

    /// The XML of a JSON passive reply: strings in CDATA, integers bare, objects as nested elements, an array under
    /// `K` as `<K><item>…</item>…</K>` (WeChat's list). `ToUserName`, `FromUserName`, `CreateTime` come first, then
    /// `MsgType`, then the other keys in byte order. `ArticleCount` is filled in for news when omitted.
    ///
    /// Refuses (`bad_reply`) what WeChat would not take: not a JSON object, an unknown `MsgType`, the kind's payload
    /// missing, `null` or booleans, keys that are not XML names, strings holding a character XML cannot carry.
    public static func xml(fromJSON json: [UInt8], defaults: Defaults) throws(PushRefusal) -> [UInt8] {
        guard case .object(var fields)? = try? JSONDecoder().decode(ReplyValue.self, from: Data(json)) else {
            throw .badReply("the answer is not a JSON object of strings, numbers, objects and arrays")
        }
        guard case .string(let kind)? = fields["MsgType"], let payloadKey = payloadKeys[kind] else {
            throw .badReply("MsgType must be one of text, image, voice, video, music, news")
        }
        guard let payload = fields[payloadKey] else { throw .badReply("a \(kind) reply needs \(payloadKey)") }
        if kind == "news" {
            guard case .array(let articles) = payload, !articles.isEmpty else {
                throw .badReply("Articles must be a non-empty array")
            }
            if fields["ArticleCount"] == nil { fields["ArticleCount"] = .integer(Int64(articles.count)) }
        }
        if fields["ToUserName"] == nil { fields["ToUserName"] = .string(defaults.toUserName) }
        if fields["FromUserName"] == nil { fields["FromUserName"] = .string(defaults.fromUserName) }
        if fields["CreateTime"] == nil { fields["CreateTime"] = .integer(defaults.createTime) }

        var out = Array("<xml>".utf8)
        try writeFields(fields, leading: ["ToUserName", "FromUserName", "CreateTime", "MsgType"], to: &out)
        out += Array("</xml>".utf8)
        return out
    }

    /// Safe mode's answer: `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` around `xml`, signed with
    /// the token over (token, timestamp, nonce, Encrypt).
    public static func encryptedEnvelope(
        _ xml: [UInt8], cipher: PushCipher, token: String, timestamp: String, nonce: String, random: [UInt8]? = nil
    ) -> [UInt8] {
        let encrypted = random.map { cipher.encrypt(xml, random: $0) } ?? cipher.encrypt(xml)
        let signature = PushSignature.messageSignature(
            token: token, timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        var out = Array("<xml>".utf8)
        element("Encrypt", cdata: encrypted, to: &out)
        element("MsgSignature", cdata: signature, to: &out)
        out += Array("<TimeStamp>".utf8) + Array(PushXML.escaped(timestamp).utf8) + Array("</TimeStamp>".utf8)
        element("Nonce", cdata: nonce, to: &out)
        out += Array("</xml>".utf8)
        return out
    }

    // MARK: - Writing

    private static func writeFields(
        _ fields: [String: ReplyValue], leading: [String] = [], to out: inout [UInt8]
    ) throws(PushRefusal) {
        let rest = fields.keys.filter { !leading.contains($0) }.sorted {
            Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
        }
        for key in leading + rest {
            guard let value = fields[key] else { continue }
            try write(value, named: key, to: &out)
        }
    }

    private static func write(_ value: ReplyValue, named name: String, to out: inout [UInt8]) throws(PushRefusal) {
        guard isElementName(name) else { throw .badReply("\(name.prefix(40)) is not an XML element name") }
        switch value {
        case .string(let text):
            guard text.unicodeScalars.allSatisfy(isXMLCharacter) else {
                throw .badReply("\(name.prefix(40)) holds a control character XML cannot carry")
            }
            element(name, cdata: text, to: &out)
        case .integer(let number):
            out += Array("<\(name)>\(number)</\(name)>".utf8)
        case .decimal(let number):
            out += Array("<\(name)>\(number)</\(name)>".utf8)
        case .object(let fields):
            out += Array("<\(name)>".utf8)
            try writeFields(fields, to: &out)
            out += Array("</\(name)>".utf8)
        case .array(let items):
            out += Array("<\(name)>".utf8)
            for item in items { try write(item, named: "item", to: &out) }
            out += Array("</\(name)>".utf8)
        }
    }

    /// `<name><![CDATA[text]]></name>`, a `]]>` inside the text split across two sections.
    private static func element(_ name: String, cdata text: String, to out: inout [UInt8]) {
        let safe = text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
        out += Array("<\(name)><![CDATA[\(safe)]]></\(name)>".utf8)
    }

    /// WeChat's element names: a letter or `_`, then letters, digits and `_`.
    static func isElementName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !isDigit(first) else { return false }
        return name.utf8.allSatisfy { isDigit($0) || $0 == UInt8(ascii: "_") || isLetter($0) }
    }

    /// XML 1.0's characters: no C0 control but tab, line feed and carriage return, and neither U+FFFE nor U+FFFF.
    private static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0..<0x20, 0xFFFE, 0xFFFF: false
        default: true
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}

/// One JSON value of a passive reply. `null` and booleans are not part of any reply and fail to decode.
enum ReplyValue: Decodable, Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case decimal(Double)
    case object([String: ReplyValue])
    case array([ReplyValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            self = .decimal(number)
        } else if let items = try? container.decode([ReplyValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: ReplyValue].self))
        }
    }
}

extension PushXML {
    /// `text` with `&`, `<` and `>` escaped, for element text outside CDATA.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
