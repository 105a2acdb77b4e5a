// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Path rejections")
struct PathRejectionTests {
    static let families: [(String, Int, Int)] = [
        ("empty_target", 400, 40066), ("asterisk_form", 400, 40066), ("malformed_target", 400, 40066),
        ("unsupported_scheme", 400, 40066), ("invalid_authority", 400, 40066), ("userinfo", 400, 40066),
        ("fragment", 400, 40066), ("relative_path", 400, 40066), ("path_too_long", 400, 40066),
        ("percent_encoding", 400, 40066), ("dot_segment", 400, 40066), ("double_slash", 400, 40066),
        ("backslash", 400, 40066), ("semicolon", 400, 40066), ("control_byte", 400, 40066),
        ("non_ascii", 400, 40066), ("whitespace", 400, 40066), ("invalid_character", 400, 40066),
        ("foreign_host", 403, 85107), ("foreign_port", 403, 85107), ("https_scheme", 403, 85107),
        ("connect_refused", 403, 85107), ("not_whitelisted", 403, 85107), ("token_endpoint", 403, 85107),
    ]

    @Test("every kind has its documented status and errcode", arguments: families)
    func kindHasStatusAndErrcode(_ label: String, _ status: Int, _ errcode: Int) throws {
        let kind = try #require(PathRejection.Kind.allKinds.first { $0.label == label })
        #expect(kind.status == status)
        #expect(kind.errcode == errcode)
    }

    @Test("the table covers every kind")
    func tableCoversEveryKind() {
        #expect(Set(PathRejection.Kind.allKinds.map(\.label)) == Set(Self.families.map(\.0)))
    }

    @Test("a path off the whitelist gets Cloud Hosting's exact body")
    func notWhitelistedBody() {
        let rejection = PathRejection.notWhitelisted(path: "/wxa/other")
        #expect(rejection.kind == .notWhitelisted)
        #expect(rejection.responseBody == #"{"errcode":85107,"errmsg":"url not in whitelist: /wxa/other"}"#)
    }

    @Test("a printable path with quotes is JSON-escaped in the body")
    func bodyEscapesQuotes() throws {
        let result = RequestTarget.parse(method: "GET", target: "/wxa/\"x\\\"")
        guard case .failure(let rejection) = result else { throw Failure("accepted") }
        #expect(rejection.label == "invalid_character")
        #expect(rejection.responseBody.contains(#"'/wxa/\"x\\\"'"#))
    }

    @Test("a path with a control byte is described, not echoed")
    func controlBytePathIsNotEchoed() throws {
        let result = RequestTarget.parse(method: "GET", target: "/wxa/secret\u{1B}[2J")
        guard case .failure(let rejection) = result else { throw Failure("accepted") }
        #expect(!rejection.message.contains("secret"))
        #expect(rejection.message.contains("0x1B"))
    }

    @Test("a long printable path is echoed truncated")
    func longPathIsTruncated() throws {
        let result = RequestTarget.parse(method: "GET", target: "/" + String(repeating: "a", count: 500) + "%")
        guard case .failure(let rejection) = result else { throw Failure("accepted") }
        #expect(rejection.label == "percent_encoding")
        #expect(rejection.message.contains("(502 bytes)"))
        #expect(rejection.message.utf8.count < 400)
    }

    @Test("the description starts with the label")
    func descriptionHasLabel() {
        #expect(PathRejection.notWhitelisted(path: "/x").description.hasPrefix("not_whitelisted: "))
    }
}
