// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CryptoExtras
import CurlClient
import Foundation
import NIOCore
import Sidecar
import TestSupport
import Testing
import WeChatEmulator
import WeChatPush

/// Forged, replayed and malformed pushes through the real listener: each refused with its status and WeChat's
/// message-crypto errcode, counted by reason, never forwarded; the gateway keeps serving.
@Suite struct InboundRefusalTests {
    /// One attack: the query and body a hostile sender uses.
    struct Attack: Sendable {
        var name: String
        var query: [(String, String)]
        var body: [UInt8]
        var status: Int
        var errcode: Int
        var reason: String
    }

    static func signedQuery(timestamp: String = SignedPush.now(), encrypted: String? = nil, token: String = InboundFixture.token)
        -> [(String, String)]
    {
        let nonce = "12345678"
        var query = [
            ("signature", PushSignature.urlSignature(token: token, timestamp: timestamp, nonce: nonce)),
            ("timestamp", timestamp), ("nonce", nonce), ("openid", "oAttacker"),
        ]
        if let encrypted {
            query += [
                ("encrypt_type", "aes"),
                ("msg_signature", PushSignature.messageSignature(token: token, timestamp: timestamp, nonce: nonce, encrypted: encrypted)),
            ]
        }
        return query
    }

    static func envelope(_ encrypted: String) -> [UInt8] {
        Array("<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[\(encrypted)]]></Encrypt></xml>".utf8)
    }

    static func attacks(_ fixture: InboundFixture) throws -> [Attack] {
        let valid = try fixture.push(.text, mode: .safe)
        let plain = try fixture.push(.text, mode: .plaintext).body
        let key = try EncodingAESKey(InboundFixture.aesKey)
        // Sealed for another account with the same Token and key: only the appid inside differs.
        let otherAppID = PushCipher(key: key, appID: "wx9999999999999999").encrypt(plain)
        // A whole block whose last byte (0) is no padding, under the account's real key.
        let badPad = try AES._CBC.encrypt(
            [UInt8](repeating: 7, count: 31) + [0], using: key.key, iv: AES._CBC.IV(ivBytes: key.iv), noPadding: true
        ).base64EncodedString()
        let old = String(Int64(Date().timeIntervalSince1970) - 3600)
        var forgedQuery = valid.query
        forgedQuery[0].value = String(repeating: "0", count: 40)
        var forgedMessage = valid.query
        forgedMessage[forgedMessage.count - 1].value = PushSignature.sign(["x"])
        return [
            Attack(name: "forged signature", query: forgedQuery.map { ($0.name, $0.value) }, body: valid.body, status: 403, errcode: -40001, reason: "bad_signature"),
            Attack(name: "forged msg_signature", query: forgedMessage.map { ($0.name, $0.value) }, body: valid.body, status: 403, errcode: -40001, reason: "bad_signature"),
            Attack(name: "signed with another Token", query: signedQuery(token: "guessedIt"), body: plain, status: 403, errcode: -40001, reason: "bad_signature"),
            Attack(name: "no signature at all", query: [("timestamp", SignedPush.now()), ("nonce", "1")], body: plain, status: 403, errcode: -40001, reason: "bad_signature"),
            Attack(name: "replayed an hour later", query: signedQuery(timestamp: old), body: plain, status: 403, errcode: -1, reason: "stale"),
            Attack(name: "another account's appid inside", query: signedQuery(encrypted: otherAppID), body: envelope(otherAppID), status: 403, errcode: -40005, reason: "bad_appid"),
            Attack(name: "body over the cap", query: signedQuery(), body: Array("<xml><Content>".utf8) + [UInt8](repeating: 0x61, count: 70_000) + Array("</Content></xml>".utf8), status: 413, errcode: -1, reason: "too_large"),
            Attack(name: "DOCTYPE with an entity", query: signedQuery(), body: Array("<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><Content>&e;</Content></xml>".utf8), status: 400, errcode: -40002, reason: "doctype"),
            Attack(name: "malformed XML", query: signedQuery(), body: Array("<xml><Content>hi</xml>".utf8), status: 400, errcode: -40002, reason: "bad_xml"),
            Attack(name: "malformed JSON", query: signedQuery(), body: Array(#"{"MsgType": "text", "#.utf8), status: 400, errcode: -40002, reason: "bad_json"),
            Attack(name: "Encrypt not Base64", query: signedQuery(encrypted: "***"), body: envelope("***"), status: 400, errcode: -40010, reason: "bad_base64"),
            Attack(name: "bad padding", query: signedQuery(encrypted: badPad), body: envelope(badPad), status: 400, errcode: -40007, reason: "bad_padding"),
        ]
    }

    @Test func everyAttackIsRefusedCountedAndNeverForwarded() async throws {
        try await withInbound { fixture in
            for attack in try Self.attacks(fixture) {
                let url = fixture.target.serverURL + "?" + attack.query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
                let response = try await fixture.harness.client.execute(
                    UpstreamRequest(method: "POST", url: url, headers: [("Content-Type", "text/xml")], body: ByteBuffer(bytes: attack.body)))
                #expect(response.status == attack.status, "\(attack.name)")
                #expect(response.errcode == attack.errcode, "\(attack.name): \(response.text)")
                #expect(fixture.harness.metric("wxsidecar_pushes_refused_total{reason=\"\(attack.reason)\"}") >= 1, "\(attack.name)")
                #expect(!response.text.contains(InboundFixture.token) && !response.text.contains(InboundFixture.aesKey))
            }
            #expect(fixture.app.requests.items.isEmpty)
            #expect(fixture.harness.metric("wxsidecar_pushes_verified_total") == 0)
            // Still serving: a genuine push goes through.
            let result = try await fixture.pushes.send(try fixture.push(.text, mode: .safe))
            #expect(result.status == 200)
            _ = try await fixture.app.requests.first("the genuine push") { _ in true }
            #expect(fixture.app.requests.items.count == 1)
            let logs = fixture.harness.logs.text
            #expect(!logs.contains(InboundFixture.token) && !logs.contains(InboundFixture.aesKey))
        }
    }

    @Test func theInboundListenerServesNothingButPushPaths() async throws {
        try await withInbound { fixture in
            let before = fixture.harness.emulator.knobs.stats
            for target in [
                "/-/healthy", "/-/metrics", "/-/status", "/-/token/refresh", "/wxa/msg_sec_check",
                "/cgi-bin/token?grant_type=client_credential", "/wechat/wx0000000000000000", "/wechat", "/",
            ] {
                for method in ["GET", "POST"] {
                    let response = try await fixture.harness.client.execute(
                        UpstreamRequest(method: method, url: fixture.inboundURL + target, body: ByteBuffer(string: "{}")))
                    #expect(response.status == 404, "\(method) \(target)")
                    #expect(!response.text.contains("access_token") && !response.text.contains("ready"), "\(target)")
                }
            }
            #expect(fixture.harness.emulator.knobs.stats == before)
            #expect(fixture.app.requests.items.isEmpty)
            // And the caller listener does not take pushes: the push path is not an API path it knows.
            let onCallerSide = try await fixture.harness.send("POST", "/wechat/\(fixture.target.appID)", body: "<xml/>")
            #expect(onCallerSide.status != 200)
            #expect(fixture.app.requests.items.isEmpty)
        }
    }
}
