// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// Nothing the sidecar sends a caller carries its token, even when WeChat's answer echoes the request URL the
/// sidecar built: the echo of the query, a redirect's `Location`, and `rid/get`'s `request_url`.
@Suite struct TokenExposureTests {
    static func options() -> SidecarHarness.Options {
        var options = SidecarHarness.Options()
        options.whitelist = "/wxa/msg_sec_check\n/echo/*\n/redirect/*\n/cgi-bin/openapi/rid/get\n"
        return options
    }

    @Test func anAnswerThatEchoesTheQueryCarriesThePlaceholderNotTheToken() async throws {
        try await withSidecar(Self.options()) { harness in
            let token = try #require(harness.app.tokens.validToken()).value
            let response = try await harness.send("GET", "/echo/query?x=1")
            #expect(response.status == 200)
            #expect(!response.text.contains(token))
            #expect(response.json["query"] as? String == "access_token=\(Redactor.tokenPlaceholder)&x=1")
            #expect(harness.metric("wxsidecar_answers_scrubbed_total") == 1)
        }
    }

    @Test func aRedirectCarryingTheQueryIsScrubbedInHeaderAndBody() async throws {
        try await withSidecar(Self.options()) { harness in
            let token = try #require(harness.app.tokens.validToken()).value
            let response = try await harness.send("GET", "/redirect/landing?next=home")
            #expect(response.status == 302)
            let location = try #require(response.header("location"))
            #expect(location == "https://mp.weixin.qq.com/landing?access_token=\(Redactor.tokenPlaceholder)&next=home")
            #expect(!response.text.contains(token))
            #expect(response.text.contains(Redactor.tokenPlaceholder))
            for header in response.headers { #expect(!header.value.contains(token)) }
        }
    }

    @Test func ridGetAnswersTheFailedCallsURLWithoutTheToken() async throws {
        try await withSidecar(Self.options()) { harness in
            let token = try #require(harness.app.tokens.validToken()).value
            // A failed call: the errmsg ends with the rid WeChat keeps its details under.
            let failed = try await harness.send("POST", "/wxa/msg_sec_check?scene=x", body: "not json")
            #expect(failed.errcode == 47001)
            let errmsg = try #require(failed.json["errmsg"] as? String)
            let rid = try #require(errmsg.components(separatedBy: "rid: ").last)
            let details = try await harness.send("POST", "/cgi-bin/openapi/rid/get", body: #"{"rid":"\#(rid)"}"#)
            #expect(details.errcode == 0)
            let request = try #require(details.json["request"] as? [String: Any])
            #expect(request["request_url"] as? String == "access_token=\(Redactor.tokenPlaceholder)&scene=x")
            #expect(!details.text.contains(token))
        }
    }
}
