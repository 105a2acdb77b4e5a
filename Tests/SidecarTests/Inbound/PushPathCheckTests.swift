// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Sidecar
import TestSupport
import Testing

/// `wxsidecar check-push`: Cloud Hosting's setup probe sent to the app, and what each kind of answer is reported as.
@Suite struct PushPathCheckTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test func anAppThatAnswersSuccessPassesAndGetsTheProbeWithThePushHeaders() async throws {
        try await withInbound { fixture in
            let checks = try await PushPathCheck.run(fixture.harness.app.configuration, logger: Self.logger)
            #expect(checks.count == 1)
            #expect(checks.first?.problem == nil)
            #expect(checks.first?.forwardTo == fixture.app.url)
            let probe = try #require(fixture.app.requests.items.first)
            #expect(probe.text == #"{"action":"CheckContainerPath"}"#)
            #expect(probe.headers["x-wx-source"] == "wxsidecar-push")
            #expect(probe.headers["x-wx-appid"] == fixture.harness.app.configuration.appid)
            #expect(probe.headers["content-type"] == "application/json")
            #expect(probe.headers["x-wx-openid"] == nil)
        }
    }

    /// The app's answer (`nil`: nothing listens at `forward_to`) and what the report must say.
    @Test(arguments: [
        (FakeApp.Answer(status: 500, body: "oops"), "status_5xx"),
        (FakeApp.Answer(body: "hello"), "other than \"success\""),
        (nil, "unreachable"),
    ])
    func anAppThatDoesNotAnswerSuccessIsReported(_ answer: FakeApp.Answer?, _ expected: String) async throws {
        let nothing = try ReservedPort()
        defer { nothing.release() }
        let forwardTo = answer == nil ? "http://127.0.0.1:\(nothing.port)/wechat/message" : nil
        try await withInbound(forwardTo: forwardTo) { fixture in
            if let answer { fixture.app.answer { _ in answer } }
            let checks = try await PushPathCheck.run(fixture.harness.app.configuration, logger: Self.logger)
            let problem = try #require(checks.first?.problem, "passed the check instead of: \(expected)")
            #expect(problem.contains(expected), "\(problem)")
        }
    }
}
