// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import WeChatPush
import Testing

/// Push XML as Cloud Hosting's JSON.
@Suite struct PushXMLJSONTests {
    static func json(_ xml: String) throws -> String {
        String(decoding: PushXML.json(try PushXML.parse(Array(xml.utf8))), as: UTF8.self)
    }

    @Test func thePublishedMessageBecomesCloudHostingJSON() throws {
        #expect(
            try Self.json(PushVectors.OfficialAccount.message)
                == #"{"ToUserName":"gh_10f6c3c3ac5a","FromUserName":"oyORnuP8q7ou2gfYjqLzSIWZf0rs","#
                + #""CreateTime":1409735668,"MsgType":"text","Content":"abcdteT","MsgId":6054768590064713728}"#)
    }

    @Test func theJSONIsValidAndKeepsTheMsgIdDigits() throws {
        let text = try Self.json(PushVectors.WeCom.message)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(object?["AgentID"] as? Int == 218)
        #expect(text.contains(#""MsgId":4561255354251345929"#))
    }

    @Test(arguments: [
        // Nested objects (video reply-like), an event with CDATA numbers.
        ("<xml><Video><MediaId><![CDATA[m]]></MediaId><Title><![CDATA[t]]></Title></Video></xml>",
         #"{"Video":{"MediaId":"m","Title":"t"}}"#),
        ("<xml><Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[123]]></EventKey></xml>",
         #"{"Event":"SCAN","EventKey":"123"}"#),
        // Repeated siblings are an array; an <item> list is an array even with one item.
        ("<xml><A>1</A><B>x</B><A>2</A></xml>", #"{"A":[1,2],"B":"x"}"#),
        ("<xml><SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA[abc]]></PicMd5Sum></item></PicList></SendPicsInfo></xml>",
         #"{"SendPicsInfo":{"Count":1,"PicList":[{"PicMd5Sum":"abc"}]}}"#),
        ("<xml><L><item>1</item><item>2</item></L></xml>", #"{"L":[1,2]}"#),
        // Location: decimals as numbers when exact; empty elements as "".
        ("<xml><Location_X>23.134521</Location_X><Scale>20</Scale><Label></Label><E/></xml>",
         #"{"Location_X":23.134521,"Scale":20,"Label":"","E":""}"#),
        // Escapes.
        ("<xml><Content><![CDATA[a\"b\\c\nd\te]]></Content></xml>", #"{"Content":"a\"b\\c\nd\te"}"#),
        ("<xml/>", "{}"),
    ])
    func elementsMapToJSON(_ xml: String, _ expected: String) throws {
        #expect(try Self.json(xml) == expected)
        _ = try JSONSerialization.jsonObject(with: Data(expected.utf8), options: .fragmentsAllowed)
    }

    /// Found by the push_envelope fuzz target: `é` and `e` + U+0301 were one key (String equality), an array of both.
    @Test func namesThatDifferOnlyInNormalizationStayApart() throws {
        let root = try PushXML.parse(Array("<xml><\u{E9}>1</\u{E9}><e\u{301}>2</e\u{301}></xml>".utf8))
        #expect(PushXML.json(root) == Array("{\"\u{E9}\":1,\"e\u{301}\":2}".utf8))
    }

    @Test(arguments: [
        ("0", true), ("1409735668", true), ("6054768590064713728", true), ("-5", true), ("9223372036854775807", true),
        ("9223372036854775808", false), ("-0", false), ("007", false), ("+1", false), ("1e3", false), (" 1", false),
        ("1 ", false), ("", false), ("-", false), ("23.134521", true), ("0.5", true), ("113.358803", true),
        ("1.50", false), ("1.", false), (".5", false), ("1.2.3", false), ("0.1234567890123456", false),
        ("123456789.012345", true), ("00.5", false), ("abc", false), ("12a", false),
    ])
    func bareTextIsANumberOnlyWhenItsDigitsSurviveAnyParser(_ text: String, _ number: Bool) throws {
        let element = PushXMLElement(name: "N", text: text)
        #expect(String(decoding: PushXML.scalar(element), as: UTF8.self) == (number ? text : "\"\(text)\""))
    }

    @Test func controlCharactersAreEscaped() {
        let element = PushXMLElement(name: "Content", text: "\u{1}\u{1f}中文", isCDATA: true)
        #expect(String(decoding: PushXML.scalar(element), as: UTF8.self) == #""\u0001\u001f中文""#)
    }

    @Test func cdataTextIsAlwaysAString() {
        let element = PushXMLElement(name: "Content", text: "12345", isCDATA: true)
        #expect(String(decoding: PushXML.scalar(element), as: UTF8.self) == #""12345""#)
    }
}
