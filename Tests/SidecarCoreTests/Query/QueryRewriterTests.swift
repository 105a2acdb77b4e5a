// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Query rewriting")
struct QueryRewriterTests {
    static let token = "TOKEN_abc-123"

    @Test(
        "the token comes first, other parameters keep their order and bytes, credentials are removed",
        arguments: [
            (nil, "access_token=TOKEN_abc-123"),
            ("", "access_token=TOKEN_abc-123"),
            ("a=1", "access_token=TOKEN_abc-123&a=1"),
            ("b=2&a=1", "access_token=TOKEN_abc-123&b=2&a=1"),
            ("a=1&a=2&a=1", "access_token=TOKEN_abc-123&a=1&a=2&a=1"),
            ("env=prod-1a2b&name=hello", "access_token=TOKEN_abc-123&env=prod-1a2b&name=hello"),
            ("a=%2F%3d&b=x+y&c=%E4%BD%A0", "access_token=TOKEN_abc-123&a=%2F%3d&b=x+y&c=%E4%BD%A0"),
            ("access_token=OLD", "access_token=TOKEN_abc-123"),
            ("cloudbase_access_token=CB", "access_token=TOKEN_abc-123"),
            ("access_token=1&cloudbase_access_token=2&access_token=3", "access_token=TOKEN_abc-123"),
            ("x=1&access_token=OLD&y=2", "access_token=TOKEN_abc-123&x=1&y=2"),
            ("access%5Ftoken=OLD&x=1", "access_token=TOKEN_abc-123&x=1"),
            ("access%5ftoken=OLD", "access_token=TOKEN_abc-123"),
            ("%61%63%63%65%73%73%5F%74%6F%6B%65%6E=OLD", "access_token=TOKEN_abc-123"),
            ("cloudbase%5Faccess%5Ftoken=CB&x=1", "access_token=TOKEN_abc-123&x=1"),
            ("access_token", "access_token=TOKEN_abc-123"),
            ("access_token=", "access_token=TOKEN_abc-123"),
            ("access_token=a=b", "access_token=TOKEN_abc-123"),
            ("access%255Ftoken=OLD", "access_token=TOKEN_abc-123&access%255Ftoken=OLD"),
            ("access_token%3D=x", "access_token=TOKEN_abc-123&access_token%3D=x"),
            ("access%5Ftoke=x", "access_token=TOKEN_abc-123&access%5Ftoke=x"),
            ("access%5=x", "access_token=TOKEN_abc-123&access%5=x"),
            ("ACCESS_TOKEN=x", "access_token=TOKEN_abc-123&ACCESS_TOKEN=x"),
            ("access_tokens=x", "access_token=TOKEN_abc-123&access_tokens=x"),
            ("my_access_token=x", "access_token=TOKEN_abc-123&my_access_token=x"),
            ("a=access_token", "access_token=TOKEN_abc-123&a=access_token"),
            ("flag&x=1", "access_token=TOKEN_abc-123&flag&x=1"),
            ("=v", "access_token=TOKEN_abc-123&=v"),
            ("a=1&&b=2", "access_token=TOKEN_abc-123&a=1&b=2"),
            ("&a=1&", "access_token=TOKEN_abc-123&a=1"),
            ("&&", "access_token=TOKEN_abc-123"),
            ("a=1?b=2", "access_token=TOKEN_abc-123&a=1?b=2"),
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
                == "/tcb/invokecloudfunction?access_token=T&env=e&name=n")
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

    // MARK: Loose spellings of the credential names

    @Test(
        "a loose spelling of a credential name is found, exact ones are left to the rewriter",
        arguments: [
            ("ACCESS_TOKEN=x", "ACCESS_TOKEN"),
            ("Access_Token=x", "Access_Token"),
            ("access_token[]=x", "access_token[]"),
            ("access_token[0]=x", nil),
            ("a=1;access_token=x", "access_token"),
            ("a=1&b=2;ACCESS_TOKEN=x", "ACCESS_TOKEN"),
            ("access_token%20=x", "access_token%20"),
            ("%20access_token=x", "%20access_token"),
            ("access_token+=x", "access_token+"),
            ("+access_token=x", "+access_token"),
            ("cloudbase_access_token%5B%5D=x", "cloudbase_access_token%5B%5D"),
            ("CLOUDBASE_ACCESS_TOKEN=x", "CLOUDBASE_ACCESS_TOKEN"),
            ("access%255Ftoken=x", "access%255Ftoken"),
            ("access%25255Ftoken=x", "access%25255Ftoken"),
            ("ACCESS%5FTOKEN=x", "ACCESS%5FTOKEN"),
            ("access_token%09=x", "access_token%09"),
            ("access_token%00=x", "access_token%00"),
            ("x=1&access_token=T", nil),
            ("access%5Ftoken=T", nil),
            ("cloudbase_access_token=T&a=1", nil),
            ("access_token=T;x=1", nil),
            ("access_tokens=x", nil),
            ("my_access_token=x", nil),
            ("a=access_token", nil),
            ("a=ACCESS_TOKEN", nil),
            ("access_token%3D=x", nil),
            ("flag&x=1", nil),
        ] as [(String, String?)])
    func looseSpellings(_ query: String, _ expected: String?) {
        #expect(CredentialSpelling.looseCredentialName(in: query[...]).map(String.init) == expected)
    }

    @Test("no query, no spelling")
    func noQueryNoSpelling() {
        #expect(CredentialSpelling.looseCredentialName(in: nil) == nil)
    }
}
