// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("WeChat errcode classification")
struct WeChatErrcodeTests {
    @Test(
        "each errcode falls in its class",
        arguments: [
            (0, "ok"),
            (-1, "transient"),
            (45011, "transient"),
            (45009, "quota_exhausted"),
            (40001, "token_invalid"),
            (40014, "token_invalid"),
            (42001, "token_invalid"),
            (41001, "token_missing"),
            (40013, "configuration"),
            (40125, "configuration"),
            (40164, "configuration"),
            (61004, "configuration"),
            (40243, "configuration"),
            (89503, "configuration"),
            (89506, "configuration"),
            (89507, "configuration"),
            (40002, "configuration"),
            (43002, "other"),
            (45002, "other"),
            (48001, "other"),
            (85107, "other"),
            (87014, "other"),
            (1, "other"),
        ])
    func errcodeIsClassified(_ errcode: Int, _ label: String) {
        #expect(WeChatErrcode.classify(errcode).label == label)
    }

    @Test(
        "configuration errors carry a fix a person can act on",
        arguments: [
            (40013, "appid"),
            (40125, "secret_file"),
            (40164, "IP whitelist"),
            (61004, "IP whitelist"),
            (40243, "unfreeze"),
            (89503, "confirm"),
            (89506, "24 hours"),
            (89507, "1 hour"),
            (40002, "bug"),
        ])
    func configurationHasFix(_ errcode: Int, _ phrase: String) throws {
        guard case .configuration(let fix) = WeChatErrcode.classify(errcode) else {
            throw Failure("\(errcode) is not a configuration error")
        }
        #expect(fix.contains(phrase))
        #expect(WeChatErrcode.classify(errcode).advice == fix)
    }

    @Test(
        "the other classes carry advice where there is something to say",
        arguments: [
            (45009, "quota"),
            (41001, "bug"),
            (40001, "refresh"),
            (-1, "backoff"),
        ])
    func classHasAdvice(_ errcode: Int, _ phrase: String) {
        #expect(WeChatErrcode.classify(errcode).advice?.contains(phrase) == true)
    }

    @Test("ok and other have no advice")
    func noAdvice() {
        #expect(ErrcodeClass.ok.advice == nil)
        #expect(ErrcodeClass.other.advice == nil)
        #expect(ErrcodeClass.other.description == "other")
    }

    @Test(
        "the caller IP is read from a 40164 errmsg",
        arguments: [
            ("invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist rid: 6501", "203.0.113.7"),
            ("invalid ip 203.0.113.7, not in whitelist", "203.0.113.7"),
            ("invalid ip ::1, not in whitelist", "::1"),
        ])
    func callerIPIsRead(_ errmsg: String, _ ip: String) {
        #expect(WeChatErrcode.callerIP(inErrmsg: errmsg) == ip[...])
    }

    @Test("no caller IP is read from an errmsg without one", arguments: ["ok", "invalid ip ", "invalid credential"])
    func callerIPAbsent(_ errmsg: String) {
        #expect(WeChatErrcode.callerIP(inErrmsg: errmsg) == nil)
    }

    @Test("error bodies are WeChat-style JSON with escaped errmsg")
    func errorBody() {
        #expect(WeChatErrorBody.json(errcode: 85113, errmsg: "not ready") == #"{"errcode":85113,"errmsg":"not ready"}"#)
        #expect(WeChatErrorBody.jsonString("a\"b\\c\nd\u{1}") == #""a\"b\\c\nd\u0001""#)
    }

    @Test("the token errcodes are exactly those classified as token_invalid")
    func tokenInvalidCodesMatchTheClassification() {
        let classified = (-100...100_000).filter { WeChatErrcode.classify($0) == .tokenInvalid }
        #expect(classified == WeChatErrcode.tokenInvalidCodes.sorted())
    }
}
