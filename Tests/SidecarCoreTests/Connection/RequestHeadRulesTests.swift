// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Request head rules")
struct RequestHeadRulesTests {
    typealias Verdict = RequestHeadRules.Verdict

    @Test(arguments: [
        (1, 1, [("Host", "x")], Verdict.accept(expectsContinue: false)),
        (1, 1, [("host", "x"), ("Expect", " 100-Continue ")], .accept(expectsContinue: true)),
        (1, 1, [("Host", "x"), ("Transfer-Encoding", "chunked")], .accept(expectsContinue: false)),
        (1, 1, [("Host", "x"), ("Transfer-Encoding", " Chunked")], .accept(expectsContinue: false)),
        (1, 0, [], .accept(expectsContinue: false)),
        (1, 0, [("Host", "x")], .accept(expectsContinue: false)),
    ] as [(Int, Int, [(String, String)], Verdict)])
    func accepted(_ major: Int, _ minor: Int, _ headers: [(String, String)], _ verdict: Verdict) {
        #expect(RequestHeadRules.check(major: major, minor: minor, headers: headers.map { (name: $0.0, value: $0.1) }) == verdict)
    }

    @Test(arguments: [
        (1, 1, [], 400, "missing_host"),
        (1, 1, [("Host", "a"), ("HOST", "b")], 400, "duplicate_host"),
        (1, 0, [("Host", "a"), ("Host", "b")], 400, "duplicate_host"),
        (1, 1, [("Host", "x"), ("Transfer-Encoding", "gzip, chunked")], 501, "unsupported_transfer_coding"),
        (1, 1, [("Host", "x"), ("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")], 501,
         "unsupported_transfer_coding"),
        (1, 1, [("Host", "x"), ("Transfer-Encoding", "identity")], 501, "unsupported_transfer_coding"),
        (1, 1, [("Host", "x"), ("Expect", "200-ok")], 417, "expectation_failed"),
    ] as [(Int, Int, [(String, String)], Int, String)])
    func refused(_ major: Int, _ minor: Int, _ headers: [(String, String)], _ status: Int, _ label: String) {
        guard case .refuse(let refusedStatus, _, let message, let refusedLabel) =
            RequestHeadRules.check(major: major, minor: minor, headers: headers.map { (name: $0.0, value: $0.1) })
        else {
            Issue.record("accepted \(headers)")
            return
        }
        #expect(refusedStatus == status)
        #expect(refusedLabel == label)
        #expect(!message.isEmpty)
    }
}
