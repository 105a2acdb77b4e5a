// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

/// Property checks over random targets built from tricky pieces: what validation accepts and the whitelist
/// allows is exactly an entry, or strictly below a prefix entry, byte for byte.
@Suite("Forwarding properties")
struct ForwardingPropertyTests {
    static let pieces = [
        "/", "/", "/", ".", "..", "a", "wxa", "tcb", "cgi-bin", "token", "stable_token", "msg_sec_check", "%",
        "%2e", "%2f", ";", "\\", "?", "#", " ", "\t", "\u{0}", "\r\n", "é", "\u{FF0F}", "*", ":", "@", "=", "&",
        "access_token=x", "http://", "api.weixin.qq.com", "evil.com", "TOKEN", "A",
    ]

    static let whitelist = try! PathWhitelist.parse(
        "/wxa/msg_sec_check\n/tcb/*\n/cgi-bin/*\n/a\n/a.a/*\n"
    ).get().whitelist
    static let exact = ["/wxa/msg_sec_check", "/a"]
    static let prefixes = ["/tcb/", "/cgi-bin/", "/a.a/"]

    static func randomTarget(using generator: inout SeededGenerator) -> String {
        let count = Int.random(in: 1...12, using: &generator)
        var target = Bool.random(using: &generator) ? "/" : ""
        for _ in 0..<count {
            target += pieces.randomElement(using: &generator)!
        }
        return target
    }

    @Test("an accepted and allowed path is an entry or strictly below a prefix", arguments: [1, 2, 3, 4] as [UInt64])
    func allowedPathIsCovered(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var allowedCount = 0
        for _ in 0..<20_000 {
            let raw = Self.randomTarget(using: &generator)
            guard case .success(let target) = RequestTarget.parse(method: "POST", target: raw) else { continue }
            let path = Array(target.path.utf8)

            // Validation: nothing that could be decoded or normalised into another path.
            #expect(path.first == 0x2F)
            #expect(path.allSatisfy { $0 > 0x20 && $0 < 0x7F })
            #expect(!path.contains(0x25) && !path.contains(0x5C) && !path.contains(0x3B))
            let segments = path.split(separator: 0x2F, omittingEmptySubsequences: false).dropFirst()
            #expect(!segments.dropLast().contains { $0.isEmpty })
            #expect(!segments.contains { $0.elementsEqual([0x2E]) || $0.elementsEqual([0x2E, 0x2E]) })

            // The path is a slice of the raw target, byte for byte.
            #expect(raw.utf8.starts(with: path) || target.form == .absolute)

            guard Self.whitelist.match(target.path).entry != nil else { continue }
            allowedCount += 1
            let covered =
                Self.exact.contains { Array($0.utf8) == path }
                || Self.prefixes.contains { path.count > $0.utf8.count && path.starts(with: $0.utf8) }
            #expect(covered, "allowed but not covered: \(raw.debugDescription)")
            #expect(!PathWhitelist.isTokenEndpoint(target.path))
        }
        #expect(allowedCount > 0)
    }

    @Test(
        "a rewritten query keeps every other parameter in order and carries one token", arguments: [5, 6] as [UInt64])
    func rewrittenQueryKeepsParameters(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let names = ["a", "b", "access_token", "cloudbase_access_token", "access%5Ftoken", "env", "", "x%3D"]
        for _ in 0..<5_000 {
            var parameters: [String] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                let name = names.randomElement(using: &generator)!
                parameters.append(Bool.random(using: &generator) ? name : name + "=v\(parameters.count)")
            }
            let query = parameters.joined(separator: "&")
            let rewritten = QueryRewriter.rewrite(query: query[...], token: "T")
            let kept = parameters.filter { parameter in
                let name = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
                return !parameter.isEmpty
                    && !["access_token", "cloudbase_access_token", "access%5Ftoken"].contains(name)
            }
            #expect(rewritten == (["access_token=T"] + kept).joined(separator: "&"), "query: \(query)")
        }
    }
}
