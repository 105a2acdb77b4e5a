// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// Signed and encrypted calls through the real sidecar to the emulator playing WeChat's side (it verifies the
/// request with the app's public key, opens it, and answers sealed and signed with its platform certificate):
/// the app sends and receives plain JSON; an answer that does not verify never reaches it.
@Suite struct ApiSecurityEndToEndTests {
    static let path = "/wxa/getuserriskrank"
    static let riskCheck = #"{"appid":"wx0123456789abcdef","openid":"oEWzBfmdLqhFS2mTXCo2E4Y9gJAM","scene":0,"client_ip":"127.0.0.1"}"#

    /// A sidecar whose default account has `api_security` (`certificates` as it is configured with), against an
    /// emulator that requires signing on ``path`` (`rotating`: signing with a newer certificate and the first as
    /// the deprecated pair).
    static func withSecured<R>(
        certificates: ((ApiSecurityKeys) -> [(sn: String, pem: String)])? = nil, rotating: Bool = false,
        paths: [String]? = nil, _ body: (SidecarHarness, ApiSecurityKeys) async throws -> R
    ) async throws -> R {
        let keys = try ApiSecurityKeys(appid: "wx0123456789abcdef")
        let files = try TemporaryDirectory()
        return try await withTeardown {
            var options = SidecarHarness.Options()
            options.whitelist += "\(path)\n/wxa/msg_sec_check\n"
            options.emulatorApiSecurity = [try keys.emulator(requiredPaths: [path], rotating: rotating)]
            options.extraYAML = try keys.yaml(in: files, certificates: certificates?(keys), paths: paths)
            options.environment = keys.environment
            return try await withSidecar(options) { harness in try await body(harness, keys) }
        } teardown: {
            files.remove()
        }
    }

    @Test func aSignedCallSendsAndReceivesPlainJSON() async throws {
        try await Self.withSecured { harness, keys in
            let answer = try await harness.send("POST", Self.path + "?lang=zh_CN", body: Self.riskCheck)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.errcode == 0)
            // The emulator's echo of what it decrypted: the caller's fields, the URL's, the security fields; no token.
            let seen = try #require(answer.json["body"] as? String)
            let plaintext = try #require(try JSONSerialization.jsonObject(with: Data(seen.utf8)) as? [String: Any])
            #expect(plaintext["openid"] as? String == "oEWzBfmdLqhFS2mTXCo2E4Y9gJAM")
            #expect(plaintext["lang"] as? String == "zh_CN")
            #expect(plaintext["_appid"] as? String == keys.appid)
            #expect(plaintext["_timestamp"] is NSNumber)
            #expect((plaintext["_n"] as? String)?.isEmpty == false)
            #expect(plaintext["access_token"] == nil)
            let headers = try #require(answer.json["headers"] as? [String: String])
            #expect(headers["wechatmp-appid"] == keys.appid)
            #expect(headers["wechatmp-signature"]?.isEmpty == false)
            // The app sees no envelope and no Wechatmp-* header.
            #expect(answer.json["iv"] == nil && answer.json["authtag"] == nil)
            #expect(answer.header("wechatmp-signature") == nil)
            #expect(harness.emulator.knobs.stats.apiSecurityCalls == 1)
            // A path outside api_security.paths goes plain, as before.
            let plain = try await harness.send("POST", "/wxa/msg_sec_check", body: #"{"version":2,"openid":"o1","scene":1,"content":"hi"}"#)
            #expect(plain.errcode == 0)
            #expect(harness.emulator.knobs.stats.apiSecurityCalls == 1)
            // No key material in logs, status or metrics.
            let status = try await harness.send("GET", "/-/status")
            let metrics = try await harness.send("GET", "/-/metrics")
            for text in [harness.logs.text, status.text, metrics.text] {
                #expect(!text.contains(keys.symmetricKeyBase64))
                #expect(!text.contains(String(keys.appPrivateKeyPEM.split(separator: "\n")[1])))
            }
        }
    }

    @Test func duringARotationTheDeprecatedPairVerifiesForAnOlderCertificate() async throws {
        // The sidecar knows only the first certificate; WeChat signs with the newer one and the first as deprecated.
        try await Self.withSecured(rotating: true) { harness, _ in
            let answer = try await harness.send("POST", Self.path, body: Self.riskCheck)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.errcode == 0)
        }
        // The sidecar knows both: the current signature verifies.
        try await Self.withSecured(certificates: { [($0.platformSN, $0.platformCertificatePEM), ($0.newerSN, $0.newerCertificatePEM)] }, rotating: true) { harness, _ in
            let answer = try await harness.send("POST", Self.path, body: Self.riskCheck)
            #expect(answer.status == 200, "\(answer.text)")
        }
    }

    @Test func anAnswerFromAnUnknownCertificateIsNotPassedOn() async throws {
        try await Self.withSecured(certificates: { [($0.newerSN, $0.newerCertificatePEM)] }) { harness, _ in
            let answer = try await harness.send("POST", Self.path, body: Self.riskCheck)
            #expect(answer.status == 502)
            #expect(answer.errcode == -1)
            #expect(answer.text.contains("unknown_serial") && answer.text.contains("not passed on"))
            #expect(harness.metric("wxsidecar_api_security_failures_total{reason=\"unknown_serial\"}") == 1)
        }
    }

    @Test func aSignatureThatDoesNotVerifyIsNotPassedOn() async throws {
        // The right number, the wrong certificate: what an answer forged or altered on the way looks like.
        try await Self.withSecured(certificates: { [($0.platformSN, $0.newerCertificatePEM)] }) { harness, _ in
            let answer = try await harness.send("POST", Self.path, body: Self.riskCheck)
            #expect(answer.status == 502)
            #expect(answer.text.contains("bad_signature"))
            #expect(!answer.text.contains("oEWzBfmdLqhFS2mTXCo2E4Y9gJAM"))
            #expect(harness.metric("wxsidecar_api_security_failures_total{reason=\"bad_signature\"}") == 1)
        }
    }

    @Test func weChatRefusesAnUnsignedCallToASecuredPathAndTheAppSeesItsError() async throws {
        // api_security covers another path only: the call goes plain, and the platform answers 40230, unsigned.
        try await Self.withSecured(paths: ["/wxa/business/getuserphonenumber"]) { harness, _ in
            let answer = try await harness.send("POST", Self.path, body: Self.riskCheck)
            #expect(answer.errcode == 40230, "\(answer.text)")
            #expect(harness.emulator.knobs.stats.apiSecurityRefusals == 1)
        }
    }

    @Test func aBodyThatIsNotAJSONObjectIsRefusedBeforeSending() async throws {
        try await Self.withSecured { harness, _ in
            let before = harness.emulator.knobs.stats.requests
            for body in ["[1,2]", "not json", #"{"_appid":"wxforged"}"#] {
                let answer = try await harness.send("POST", Self.path, body: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.text.contains("api_security"))
            }
            #expect(harness.emulator.knobs.stats.requests == before)
            #expect(harness.metric("wxsidecar_api_security_failures_total{reason=\"bad_request_body\"}") == 3)
        }
    }
}
