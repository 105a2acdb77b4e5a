// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import TestSupport
import WeChatPush
import Testing

/// Parsing push bodies, and every body that is refused before or while parsing.
@Suite struct PushXMLTests {
    static func parse(_ text: String, limit: Int = PushXML.defaultSizeLimit) throws(PushRefusal) -> PushXMLElement {
        try PushXML.parse(Array(text.utf8), sizeLimit: limit)
    }

    @Test func thePublishedMessageParsesInOrder() throws {
        let root = try Self.parse(PushVectors.OfficialAccount.message)
        #expect(root.name == "xml")
        #expect(root.children.map(\.name) == ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId"])
        #expect(root["Content"] == PushXMLElement(name: "Content", text: "abcdteT", isCDATA: true))
        #expect(root["MsgId"] == PushXMLElement(name: "MsgId", text: "6054768590064713728"))
    }

    @Test func nestedElementsAndEscapedTextParse() throws {
        let root = try Self.parse(
            "<?xml version=\"1.0\"?>\n<!-- a comment -->\n<xml>\n  <A>x &amp; y &lt;z&gt;</A>\n  <B><C>1</C><C>2</C></B>\n</xml>")
        #expect(root["A"]?.text == "x & y <z>")
        #expect(root["B"]?.children.map(\.text) == ["1", "2"])
        #expect(root["B"]?.text == "")
    }

    @Test func cdataThatMentionsADoctypeIsOnlyText() throws {
        let root = try Self.parse("<xml><Content><![CDATA[<!DOCTYPE html><!ENTITY x \"y\">]]></Content></xml>")
        #expect(root["Content"]?.text == "<!DOCTYPE html><!ENTITY x \"y\">")
    }

    // MARK: - Refusals

    @Test(arguments: [
        "<!DOCTYPE xml><xml><A>1</A></xml>",
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x \"boom\">]><xml><A>&x;</A></xml>",
        "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><A>&x;</A></xml>",
        "<!DOCTYPE xml [<!ENTITY % p SYSTEM \"http://127.0.0.1/x.dtd\"> %p;]><xml/>",
        "<!-- c --><!doctype xml><xml/>",
        "\n  <!ENTITY x \"y\"><xml/>",
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><xml>&lol2;</xml>",
    ])
    func aDoctypeOrEntityDeclarationIsRefused(_ body: String) {
        #expect(throws: PushRefusal.doctype) { try Self.parse(body) }
    }

    @Test func aBodyOverTheCapIsRefusedBeforeParsing() {
        let body = "<xml><Content><![CDATA[" + String(repeating: "a", count: 2_000) + "]]></Content></xml>"
        #expect(throws: PushRefusal.tooLarge(limit: 1_024)) { try Self.parse(body, limit: 1_024) }
        #expect(throws: Never.self) { try Self.parse(body, limit: 4_096) }
    }

    @Test(arguments: [
        "", "   ", "not xml", "<xml>", "<xml><A>1</B></xml>", "<xml><A>1</A>", "<xml></xml><xml></xml>",
        "<xml><A>&undefined;</A></xml>", "<xml><A>1</A></xml>trailing", "<xml><A x='1' x='2'/></xml>",
    ])
    func malformedXMLIsRefused(_ body: String) {
        #expect(throws: PushRefusal.badXML("")) { try Self.parse(body) }
    }

    @Test(arguments: ["<xml>text<A>1</A></xml>", "<xml><A>1</A>text</xml>", "<xml><A>1</A><![CDATA[x]]></xml>"])
    func textBesideChildElementsIsRefused(_ body: String) {
        #expect(throws: PushRefusal.badXML("")) { try Self.parse(body) }
    }

    // MARK: - What the parser must not be given (found by the push_envelope fuzz target)

    /// UTF-16 and UTF-32, which libxml2 detects and decodes: a DOCTYPE in them passed the prolog check, and the
    /// UTF-32 body crashed libxml2 once the tree builder stopped it at an error. Invalid UTF-8 and NUL likewise.
    @Test(arguments: [
        [0xFF, 0xFE] + "<!DOCTYPE a [<!ENTITY e \"x\">]><xml><A>&e;</A></xml>".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
        [0xFE, 0xFF] + "<xml><A>1</A></xml>".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] },
        [0, 0, 0, 0x3C, 0x6C, 0x3E, 0x5F, 0x5B],
        Array("<xml><A>".utf8) + [0xFF, 0xE7] + Array("</A></xml>".utf8),
        Array("<xml><Mix".utf8) + [0xE7, 0xE7] + Array("/></xml>".utf8),
        Array("<xml><A>1</A>".utf8) + [0] + Array("</xml>".utf8),
    ] as [[UInt8]])
    func aBodyThatIsNotUTF8IsRefused(_ body: [UInt8]) {
        #expect(throws: PushRefusal.badXML("")) { try PushXML.parse(body) }
    }

    /// libxml2 switches to a declared encoding; stopped at an error in most of them, it crashed.
    @Test(arguments: ["EUC-JP", "Shift_JIS", "UTF-32", "UTF-7", "GB18030", "ISO-8859-1", "utf-16"])
    func anXMLDeclarationNamingAnotherEncodingIsRefused(_ encoding: String) {
        let declaration = "<?xml version=\"1.0\" encoding=\"\(encoding)\"?>"
        let body = Array("\(declaration)<xml><A>".utf8) + [0xC3, 0xA9] + Array("</A></xml>".utf8)
        #expect(throws: PushRefusal.badXML("")) { try PushXML.parse(body) }
    }

    @Test(arguments: [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><xml/>", "\u{FEFF}<?xml version='1.0' encoding = 'utf-8' ?>\n<xml/>",
    ])
    func anXMLDeclarationNamingUTF8IsAccepted(_ body: String) throws {
        #expect(try Self.parse(body).name == "xml")
    }

    /// Foundation's XMLParser read a NULL pointer for a processing instruction without data, wherever it stood.
    @Test(arguments: [
        "<?d?><xml/>", "<xml><?d?></xml>", "<xml/><?d?>", "<xml><A>1</A><?pi data?></xml>", "\n<?xml version=\"1.0\"?><xml/>",
    ])
    func aProcessingInstructionIsRefused(_ body: String) {
        #expect(throws: PushRefusal.badXML("")) { try Self.parse(body) }
    }

    @Test func textThatMentionsAProcessingInstructionIsOnlyText() throws {
        let root = try Self.parse("<xml><!-- <?d?> --><Content><![CDATA[<?php echo 1; ?>]]></Content></xml>")
        #expect(root["Content"]?.text == "<?php echo 1; ?>")
    }

    @Test func nestingDeeperThanAnyPushIsRefused() {
        let depth = PushXML.depthLimit + 1
        let body = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        #expect(throws: PushRefusal.tooDeep(limit: PushXML.depthLimit)) { try Self.parse(body) }
    }
}
