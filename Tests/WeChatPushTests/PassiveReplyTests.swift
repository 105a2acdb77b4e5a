// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import TestSupport
import WeChatPush
import Testing

/// The app's JSON passive replies (Cloud Hosting's field names) as WeChat's XML, plain and in safe mode.
@Suite struct PassiveReplyTests {
    static let defaults = PassiveReply.Defaults(toUserName: "oUser", fromUserName: "gh_account", createTime: 1_700_000_000)
    static let head = "<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_account]]></FromUserName>"
        + "<CreateTime>1700000000</CreateTime>"

    static func xml(_ json: String) throws(PushRefusal) -> String {
        String(decoding: try PassiveReply.xml(fromJSON: Array(json.utf8), defaults: defaults), as: UTF8.self)
    }

    @Test(arguments: [
        (#"{"MsgType":"text","Content":"你好 ]]> there"}"#,
         "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好 ]]]]><![CDATA[> there]]></Content>"),
        (#"{"MsgType":"image","Image":{"MediaId":"m1"}}"#,
         "<MsgType><![CDATA[image]]></MsgType><Image><MediaId><![CDATA[m1]]></MediaId></Image>"),
        (#"{"MsgType":"voice","Voice":{"MediaId":"m2"}}"#,
         "<MsgType><![CDATA[voice]]></MsgType><Voice><MediaId><![CDATA[m2]]></MediaId></Voice>"),
        (#"{"MsgType":"video","Video":{"MediaId":"m3","Title":"t","Description":"d"}}"#,
         "<MsgType><![CDATA[video]]></MsgType><Video><Description><![CDATA[d]]></Description>"
            + "<MediaId><![CDATA[m3]]></MediaId><Title><![CDATA[t]]></Title></Video>"),
        (#"{"MsgType":"music","Music":{"Title":"t","MusicUrl":"u","HQMusicUrl":"h","ThumbMediaId":"m"}}"#,
         "<MsgType><![CDATA[music]]></MsgType><Music><HQMusicUrl><![CDATA[h]]></HQMusicUrl><MusicUrl><![CDATA[u]]>"
            + "</MusicUrl><ThumbMediaId><![CDATA[m]]></ThumbMediaId><Title><![CDATA[t]]></Title></Music>"),
        (#"{"MsgType":"news","Articles":[{"Title":"t","Description":"d","PicUrl":"p","Url":"u"}]}"#,
         "<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item><Description><![CDATA[d]]>"
            + "</Description><PicUrl><![CDATA[p]]></PicUrl><Title><![CDATA[t]]></Title><Url><![CDATA[u]]></Url></item>"
            + "</Articles>"),
    ])
    func eachReplyKindBecomesWeChatsXML(_ json: String, _ body: String) throws {
        let xml = try Self.xml(json)
        #expect(xml == Self.head + body + "</xml>")
        _ = try PushXML.parse(Array(xml.utf8))
    }

    @Test func fieldsTheAppGivesAreKept() throws {
        let xml = try Self.xml(#"{"ToUserName":"o2","FromUserName":"gh_2","CreateTime":5,"MsgType":"text","Content":"x"}"#)
        #expect(xml.hasPrefix("<xml><ToUserName><![CDATA[o2]]></ToUserName><FromUserName><![CDATA[gh_2]]></FromUserName><CreateTime>5</CreateTime>"))
    }

    @Test(arguments: [
        "", "success", "[]", "\"text\"", #"{"Content":"x"}"#, #"{"MsgType":"link","Content":"x"}"#,
        #"{"MsgType":"text"}"#, #"{"MsgType":"image","Content":"x"}"#, #"{"MsgType":"news","Articles":[]}"#,
        #"{"MsgType":"news","Articles":{"Title":"t"}}"#, #"{"MsgType":"text","Content":null}"#,
        #"{"MsgType":"text","Content":true}"#, #"{"MsgType":"text","Content":"x","a b":"y"}"#,
        #"{"MsgType":"text","Content":"x","1x":"y"}"#, #"{"MsgType":"text","Content":"x","<y>":"z"}"#,
    ])
    func anAnswerThatIsNotAReplyIsRefused(_ json: String) {
        #expect(throws: PushRefusal.badReply("")) { try Self.xml(json) }
    }

    /// Found by the push_envelope fuzz target: JSON carries any control character, XML 1.0 only tab, LF and CR, so the
    /// reply was XML WeChat (and PushXML) cannot parse.
    @Test(arguments: [#""a\bb""#, #""\u0000""#, #""\u001f""#, #""\uffff""#, #""\ufffe""#, #"{"Title":"\u000b"}"#])
    func aStringXMLCannotCarryIsRefused(_ content: String) {
        #expect(throws: PushRefusal.badReply("")) { try Self.xml(#"{"MsgType":"text","Content":"# + content + "}") }
    }

    @Test func tabsAndLineBreaksAreCarried() throws {
        let xml = try Self.xml(#"{"MsgType":"text","Content":"a\tb\nc\rd"}"#)
        #expect(try PushXML.parse(Array(xml.utf8))["Content"]?.text == "a\tb\nc\rd")
    }

    @Test(arguments: ["text", "image", "news"])
    func everyReplyRoundTripsThroughSafeMode(_ kind: String) throws {
        typealias OA = PushVectors.OfficialAccount
        let json = [
            "text": #"{"MsgType":"text","Content":"回复"}"#, "image": #"{"MsgType":"image","Image":{"MediaId":"m"}}"#,
            "news": #"{"MsgType":"news","Articles":[{"Title":"a"},{"Title":"b"}]}"#,
        ][kind]!
        let xml = try PassiveReply.xml(fromJSON: Array(json.utf8), defaults: Self.defaults)
        let cipher = PushCipher(key: try EncodingAESKey(OA.encodingAESKey), appID: OA.appID)
        let envelope = PassiveReply.encryptedEnvelope(xml, cipher: cipher, token: OA.token, timestamp: "1700000001", nonce: "n1")
        let root = try PushXML.parse(envelope)
        #expect(root.children.map(\.name) == ["Encrypt", "MsgSignature", "TimeStamp", "Nonce"])
        let encrypted = try #require(root["Encrypt"]?.text)
        try PushSignature.verifyMessage(root["MsgSignature"]?.text, token: OA.token, timestamp: "1700000001", nonce: "n1", encrypted: encrypted)
        #expect(root["TimeStamp"]?.text == "1700000001")
        #expect(try cipher.decrypt(encrypted) == xml)
    }

    /// The published fixed-prefix vector, wrapped: the envelope's `Encrypt` is WeChat's own ciphertext.
    @Test func theEnvelopeCarriesThePublishedCiphertext() throws {
        typealias Fixed = PushVectors.FixedPrefix
        let cipher = PushCipher(key: try EncodingAESKey(Fixed.encodingAESKey), appID: Fixed.appID)
        let envelope = PassiveReply.encryptedEnvelope(
            Array(Fixed.message.utf8), cipher: cipher, token: Fixed.token, timestamp: "1409304348", nonce: "xxxxxx",
            random: Fixed.random)
        #expect(try PushXML.parse(envelope)["Encrypt"]?.text == Fixed.encrypt)
    }
}
