// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
@testable import Sidecar
import TestSupport
import Testing
import WeChatPush

/// Every check a push passes before it reaches the app, in memory: Tencent's published safe-mode push opened
/// whole, then each way a request is refused.
@Suite struct PushIntakeTests {
    typealias OA = PushVectors.OfficialAccount

    static func intake(
        token: String = OA.token, key: String? = OA.encodingAESKey, appid: String = OA.appID,
        format: SidecarConfiguration.MessageFormat = .json, maxBodyBytes: Int = 65_536
    ) throws -> PushIntake {
        PushIntake(
            appid: appid, token: token, cipher: try key.map { PushCipher(key: try EncodingAESKey($0), appID: appid) },
            replayWindow: 300, maxBodyBytes: maxBodyBytes, format: format)
    }

    static let envelope = Array(
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[\(OA.encrypt)]]></Encrypt></xml>".utf8)
    static let now = Int64(OA.timestamp)!

    static func query(
        signature: String = OA.urlSignature, timestamp: String = OA.timestamp, nonce: String = OA.nonce,
        msgSignature: String? = OA.msgSignature, extra: String = ""
    ) -> Substring {
        var query = "signature=\(signature)&timestamp=\(timestamp)&nonce=\(nonce)&openid=oyORnuP8q7ou2gfYjqLzSIWZf0rs"
        if let msgSignature { query += "&encrypt_type=aes&msg_signature=\(msgSignature)" }
        return Substring(query + extra)
    }

    @Test func tencentsSafeModePushOpensToCloudHostingJSON() throws {
        let verdict = try Self.intake().open(method: "POST", query: Self.query(), body: Self.envelope, now: Self.now)
        guard case .push(let push) = verdict else { Issue.record("not a push: \(verdict)"); return }
        #expect(push.encrypted)
        #expect(push.syntax == .xml)
        #expect(push.msgType == "text")
        #expect(push.fromUserName == "oyORnuP8q7ou2gfYjqLzSIWZf0rs")
        #expect(push.toUserName == "gh_10f6c3c3ac5a")
        #expect(push.deliveryKey == "m:6054768590064713728")
        #expect(push.contentType.hasPrefix("application/json"))
        #expect(String(decoding: push.forwarded, as: UTF8.self) == #"{"ToUserName":"gh_10f6c3c3ac5a","FromUserName":"oyORnuP8q7ou2gfYjqLzSIWZf0rs","CreateTime":1409735668,"MsgType":"text","Content":"abcdteT","MsgId":6054768590064713728}"#)
    }

    @Test func xmlFormatForwardsTheDecryptedMessageAsItCame() throws {
        let verdict = try Self.intake(format: .xml).open(method: "POST", query: Self.query(), body: Self.envelope, now: Self.now)
        guard case .push(let push) = verdict else { Issue.record("not a push: \(verdict)"); return }
        #expect(String(decoding: push.forwarded, as: UTF8.self) == OA.message)
        #expect(push.contentType.hasPrefix("text/xml"))
    }

    @Test func urlVerificationAnswersTheEchostr() throws {
        let query = Self.query(msgSignature: nil, extra: "&echostr=5837397520665436492")
        #expect(try Self.intake().open(method: "GET", query: query, body: [], now: Self.now) == .echo("5837397520665436492"))
    }

    @Test func plaintextPushNeedsNoKey() throws {
        let body = Array(OA.message.utf8)
        let verdict = try Self.intake(key: nil).open(method: "POST", query: Self.query(msgSignature: nil), body: body, now: Self.now)
        guard case .push(let push) = verdict else { Issue.record("not a push: \(verdict)"); return }
        #expect(!push.encrypted)
        #expect(push.msgID == "6054768590064713728")
    }

    @Test func eventsAreKeyedBySenderAndTime() throws {
        let body = Array("<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>".utf8)
        let verdict = try Self.intake(key: nil).open(method: "POST", query: Self.query(msgSignature: nil), body: body, now: Self.now)
        guard case .push(let push) = verdict else { Issue.record("not a push: \(verdict)"); return }
        #expect(push.deliveryKey == "e:oUser:1409735668:subscribe")
        #expect(push.logID == "subscribe@1409735668")
    }

    @Test func jsonPushIsForwardedAsItCame() throws {
        let json = #"{"ToUserName":"gh_1","FromUserName":"oUser","CreateTime":1409735668,"MsgType":"text","Content":"hi","MsgId":23637352235060880}"#
        let verdict = try Self.intake(key: nil).open(
            method: "POST", query: Self.query(msgSignature: nil), body: Array(json.utf8), now: Self.now)
        guard case .push(let push) = verdict else { Issue.record("not a push: \(verdict)"); return }
        #expect(push.syntax == .json)
        #expect(push.forwarded == Array(json.utf8))
        #expect(push.deliveryKey == "m:23637352235060880")
    }

    @Test func encryptedJSONPushOpens() throws {
        let intake = try Self.intake()
        let message = #"{"ToUserName":"gh_1","FromUserName":"oUser","CreateTime":1409735668,"MsgType":"event","Event":"user_enter_tempsession"}"#
        let sealed = try #require(intake.cipher).encrypt(Array(message.utf8))
        let signature = PushSignature.messageSignature(token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce, encrypted: sealed)
        let body = try JSONSerialization.data(withJSONObject: ["ToUserName": "gh_1", "Encrypt": sealed])
        let verdict = intake.open(method: "POST", query: Self.query(msgSignature: signature), body: Array(body), now: Self.now)
        guard case .push(let push) = verdict else { Issue.record("not a push: \(verdict)"); return }
        #expect(push.forwarded == Array(message.utf8))
        #expect(push.event == "user_enter_tempsession")
    }

    // MARK: - Refusals

    struct RefusalCase: Sendable, CustomTestStringConvertible {
        var name: String
        var method = "POST"
        var query: String
        var body: [UInt8] = PushIntakeTests.envelope
        var now: Int64 = PushIntakeTests.now
        var key: String? = OA.encodingAESKey
        var appid = OA.appID
        var maxBodyBytes = 65_536
        var reason: String
        var testDescription: String { name }
    }

    static let tamperedEncrypt = OA.encrypt.replacingOccurrences(of: "hyzAe4", with: "hyzAe5")

    static let refusals: [RefusalCase] = [
        RefusalCase(name: "no signature", query: "timestamp=\(OA.timestamp)&nonce=\(OA.nonce)", reason: "bad_signature"),
        RefusalCase(name: "no nonce", query: "signature=\(OA.urlSignature)&timestamp=\(OA.timestamp)", reason: "bad_request"),
        RefusalCase(name: "wrong signature", query: String(query(signature: String(repeating: "0", count: 40))), reason: "bad_signature"),
        RefusalCase(name: "signature of another token", query: String(query(signature: PushSignature.urlSignature(token: "other", timestamp: OA.timestamp, nonce: OA.nonce))), reason: "bad_signature"),
        RefusalCase(name: "missing msg_signature", query: "signature=\(OA.urlSignature)&timestamp=\(OA.timestamp)&nonce=\(OA.nonce)&encrypt_type=aes", reason: "bad_signature"),
        RefusalCase(name: "wrong msg_signature", query: String(query(msgSignature: OA.urlSignature)), reason: "bad_signature"),
        RefusalCase(name: "replayed an hour later", query: String(query()), now: now + 3600, reason: "stale"),
        RefusalCase(name: "from the future", query: String(query()), now: now - 301, reason: "stale"),
        RefusalCase(name: "encrypted, no key configured", query: String(query()), key: nil, reason: "no_key"),
        RefusalCase(name: "another account's appid inside", query: String(query()), appid: "wx0000000000000000", reason: "bad_appid"),
        RefusalCase(name: "body over the cap", query: String(query()), maxBodyBytes: 100, reason: "too_large"),
        RefusalCase(name: "DOCTYPE in the envelope", query: String(query()),
            body: Array("<!DOCTYPE xml [<!ENTITY x \"y\">]><xml><Encrypt>&x;</Encrypt></xml>".utf8), reason: "doctype"),
        RefusalCase(name: "malformed XML", query: String(query(msgSignature: nil)), body: Array("<xml><a></xml>".utf8), reason: "bad_xml"),
        RefusalCase(name: "malformed JSON", query: String(query(msgSignature: nil)), body: Array("{\"a\":".utf8), reason: "bad_json"),
        RefusalCase(name: "neither XML nor a JSON object", query: String(query(msgSignature: nil)), body: Array("[1]".utf8), reason: "bad_xml"),
        RefusalCase(name: "not Base64 inside Encrypt", query: String(query(msgSignature: PushSignature.messageSignature(token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce, encrypted: "%%%%"))),
            body: Array("<xml><Encrypt>%%%%</Encrypt></xml>".utf8), reason: "bad_base64"),
        RefusalCase(name: "PUT", method: "PUT", query: String(query()), reason: "bad_request"),
        RefusalCase(name: "GET without echostr", method: "GET", query: String(query(msgSignature: nil)), reason: "bad_request"),
        RefusalCase(name: "GET with a bad signature", method: "GET",
            query: String(query(signature: String(repeating: "a", count: 40), msgSignature: nil)) + "&echostr=1", reason: "bad_signature"),
    ]

    @Test(arguments: refusals)
    func refused(_ testCase: RefusalCase) throws {
        let intake = try Self.intake(key: testCase.key, appid: testCase.appid, maxBodyBytes: testCase.maxBodyBytes)
        let verdict = intake.open(method: testCase.method, query: Substring(testCase.query), body: testCase.body, now: testCase.now)
        guard case .refused(let refusal) = verdict else { Issue.record("not refused: \(verdict)"); return }
        #expect(refusal.label == testCase.reason)
    }

    /// A tampered ciphertext with a signature made for it (someone holding the token but not the key) still fails:
    /// in the decryption, never reaching the app.
    @Test func tamperedCiphertextWithValidSignatureFailsToDecrypt() throws {
        let signature = PushSignature.messageSignature(
            token: OA.token, timestamp: OA.timestamp, nonce: OA.nonce, encrypted: Self.tamperedEncrypt)
        let body = Array("<xml><Encrypt><![CDATA[\(Self.tamperedEncrypt)]]></Encrypt></xml>".utf8)
        let verdict = try Self.intake().open(method: "POST", query: Self.query(msgSignature: signature), body: body, now: Self.now)
        guard case .refused(let refusal) = verdict else { Issue.record("not refused: \(verdict)"); return }
        #expect(["bad_padding", "bad_length", "bad_appid", "bad_xml"].contains(refusal.label))
    }
}
