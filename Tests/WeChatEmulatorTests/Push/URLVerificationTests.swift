// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing
import WeChatEmulator
import WeChatPush

/// The `echostr` check WeChat runs when the server URL is saved.
@Suite("URL verification")
struct URLVerificationTests {
    @Test("a server that checks the signature and answers the echostr passes")
    func succeeds() async throws {
        try await PushReceiver.withClient { receiver, client in
            let verification = try await client.verifyURL()
            #expect(verification.succeeded)
            let request = try #require(receiver.requests.first)
            #expect(request.method == "GET")
            #expect(request.query.map(\.name) == ["signature", "timestamp", "nonce", "echostr"])
            #expect(request.query("echostr") == verification.echostr)
            #expect(PushReport.describe(verification).contains("accepted"))
        }
    }

    @Test("a server that answers anything else fails")
    func wrongAnswer() async throws {
        try await PushReceiver.withClient(answer: .wrongEcho) { _, client in
            let verification = try await client.verifyURL(echostr: "1234567890")
            #expect(verification.status == 200)
            #expect(!verification.succeeded)
            #expect(PushReport.describe(verification).contains("did not answer the echostr 1234567890"))
        }
    }

    @Test("a server that knows another token refuses: the verification fails")
    func wrongToken() async throws {
        try await PushReceiver.withClient(token: "another-token") { receiver, client in
            let verification = try await client.verifyURL()
            #expect(verification.status == 403)
            #expect(!verification.succeeded)
            #expect(receiver.requests.first?.refusal == "bad_signature")
        }
    }
}
