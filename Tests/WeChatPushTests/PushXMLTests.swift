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

    @Test func nestingDeeperThanAnyPushIsRefused() {
        let depth = PushXML.depthLimit + 1
        let body = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        #expect(throws: PushRefusal.tooDeep(limit: PushXML.depthLimit)) { try Self.parse(body) }
    }
}
