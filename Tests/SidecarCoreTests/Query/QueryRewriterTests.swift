// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Query rewriting")
struct QueryRewriterTests {
    static let token = "TOKEN_abc-123"

    @Test(
        "parameters keep their order and bytes, credentials are removed, the token is appended",
        arguments: [
            (nil, "access_token=TOKEN_abc-123"),
            ("", "access_token=TOKEN_abc-123"),
            ("a=1", "a=1&access_token=TOKEN_abc-123"),
            ("b=2&a=1", "b=2&a=1&access_token=TOKEN_abc-123"),
            ("a=1&a=2&a=1", "a=1&a=2&a=1&access_token=TOKEN_abc-123"),
            ("env=prod-1a2b&name=hello", "env=prod-1a2b&name=hello&access_token=TOKEN_abc-123"),
            ("a=%2F%3d&b=x+y&c=%E4%BD%A0", "a=%2F%3d&b=x+y&c=%E4%BD%A0&access_token=TOKEN_abc-123"),
            ("access_token=OLD", "access_token=TOKEN_abc-123"),
            ("cloudbase_access_token=CB", "access_token=TOKEN_abc-123"),
            ("access_token=1&cloudbase_access_token=2&access_token=3", "access_token=TOKEN_abc-123"),
            ("x=1&access_token=OLD&y=2", "x=1&y=2&access_token=TOKEN_abc-123"),
            ("access%5Ftoken=OLD&x=1", "x=1&access_token=TOKEN_abc-123"),
            ("access%5ftoken=OLD", "access_token=TOKEN_abc-123"),
            ("%61%63%63%65%73%73%5F%74%6F%6B%65%6E=OLD", "access_token=TOKEN_abc-123"),
            ("cloudbase%5Faccess%5Ftoken=CB&x=1", "x=1&access_token=TOKEN_abc-123"),
            ("access_token", "access_token=TOKEN_abc-123"),
            ("access_token=", "access_token=TOKEN_abc-123"),
            ("access_token=a=b", "access_token=TOKEN_abc-123"),
            ("access%255Ftoken=OLD", "access%255Ftoken=OLD&access_token=TOKEN_abc-123"),
            ("access_token%3D=x", "access_token%3D=x&access_token=TOKEN_abc-123"),
            ("access%5Ftoke=x", "access%5Ftoke=x&access_token=TOKEN_abc-123"),
            ("access%5=x", "access%5=x&access_token=TOKEN_abc-123"),
            ("ACCESS_TOKEN=x", "ACCESS_TOKEN=x&access_token=TOKEN_abc-123"),
            ("access_tokens=x", "access_tokens=x&access_token=TOKEN_abc-123"),
            ("my_access_token=x", "my_access_token=x&access_token=TOKEN_abc-123"),
            ("a=access_token", "a=access_token&access_token=TOKEN_abc-123"),
            ("flag&x=1", "flag&x=1&access_token=TOKEN_abc-123"),
            ("=v", "=v&access_token=TOKEN_abc-123"),
            ("a=1&&b=2", "a=1&b=2&access_token=TOKEN_abc-123"),
            ("&a=1&", "a=1&access_token=TOKEN_abc-123"),
            ("&&", "access_token=TOKEN_abc-123"),
            ("a=1?b=2", "a=1?b=2&access_token=TOKEN_abc-123"),
        ] as [(String?, String)])
    func queryIsRewritten(_ query: String?, _ expected: String) {
        let rewritten = QueryRewriter.rewrite(query: query?[...], token: Self.token)
        #expect(Array(rewritten.utf8) == Array(expected.utf8))
    }

    @Test("a token with reserved bytes is percent-encoded")
    func tokenIsEncoded() {
        #expect(QueryRewriter.rewrite(query: nil, token: "a+b/c=d&e") == "access_token=a%2Bb%2Fc%3Dd%26e")
    }

    @Test("the upstream path and query join the raw path and the rewritten query")
    func upstreamPathAndQuery() throws {
        let target = try RequestTarget.parse(
            method: "POST", target: "/tcb/invokecloudfunction?env=e&cloudbase_access_token=CB&name=n"
        ).get()
        #expect(
            QueryRewriter.upstreamPathAndQuery(for: target, token: "T")
                == "/tcb/invokecloudfunction?env=e&name=n&access_token=T")
    }

    @Test(
        "the caller's credential is found by its decoded name",
        arguments: [
            ("x=1&cloudbase_access_token=CB&access_token=AT", "cloudbase_access_token", "CB"),
            ("access_token=AT", "access_token", "AT"),
            ("access%5Ftoken=Z", "access_token", "Z"),
            ("access_token", "access_token", ""),
        ])
    func callerTokenFound(_ query: String, _ name: String, _ value: String) throws {
        let found = try #require(QueryRewriter.callerToken(in: query[...]))
        #expect(found.parameterName == name)
        #expect(found.value == value)
    }

    @Test("no credential is found where there is none", arguments: [nil, "", "a=1", "ACCESS_TOKEN=x"] as [String?])
    func callerTokenAbsent(_ query: String?) {
        #expect(QueryRewriter.callerToken(in: query?[...]) == nil)
    }

    @Test("the caller's credential never appears in its descriptions")
    func callerTokenIsRedacted() throws {
        let found = try #require(QueryRewriter.callerToken(in: "access_token=SECRETVALUE"[...]))
        #expect(!found.description.contains("SECRETVALUE"))
        #expect(!found.debugDescription.contains("SECRETVALUE"))
        #expect(!String(describing: found).contains("SECRETVALUE"))
        #expect(!"\(found)".contains("SECRETVALUE"))
        var dumped = ""
        dump(found, to: &dumped)
        #expect(!dumped.contains("SECRETVALUE"))
        #expect(found.description == "access_token=<redacted, 11 bytes>")
    }
}
