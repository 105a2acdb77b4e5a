// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

/// `allow_cidrs` blocks, the token bucket and `rate_limits` entries.
@Suite struct CIDRBlockTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var block: String
        var address: String
        var inside: Bool
        var testDescription: String { "\(address) in \(block): \(inside)" }
    }

    @Test(arguments: [
        Row(block: "10.0.0.0/8", address: "10.1.2.3", inside: true),
        Row(block: "10.0.0.0/8", address: "11.0.0.1", inside: false),
        Row(block: "192.168.1.0/24", address: "192.168.1.255", inside: true),
        Row(block: "192.168.1.0/24", address: "192.168.2.1", inside: false),
        Row(block: "172.16.0.0/12", address: "172.31.255.1", inside: true),
        Row(block: "172.16.0.0/12", address: "172.32.0.1", inside: false),
        Row(block: "192.168.1.10", address: "192.168.1.10", inside: true),
        Row(block: "192.168.1.10", address: "192.168.1.11", inside: false),
        Row(block: "0.0.0.0/0", address: "8.8.8.8", inside: true),
        Row(block: "10.0.0.0/8", address: "::ffff:10.9.9.9", inside: true),
        Row(block: "fd00::/8", address: "fd12:3456::1", inside: true),
        Row(block: "fd00::/8", address: "fe80::1", inside: false),
        Row(block: "2001:db8::/32", address: "2001:db8:0:0:0:0:0:1", inside: true),
        Row(block: "10.0.0.0/8", address: "fd00::1", inside: false),
    ])
    func membership(_ row: Row) throws {
        let block = try #require(CIDRBlock(parsing: row.block))
        let address = try #require(IPAddressBytes.parse(row.address))
        #expect(block.contains(address) == row.inside)
    }

    @Test(arguments: ["10.0.0.1/8", "10.0.0.0/33", "256.0.0.0/8", "10.0.0/8", "01.2.3.4", "fd00::/129", "1:2:3:4:5:6:7:8:9", "abc", "", "10.0.0.0/-1", "::1::2"])
    func malformedBlocksAreRefused(_ text: String) {
        #expect(CIDRBlock(parsing: text) == nil)
    }
}

@Suite struct TokenBucketTests {
    /// Takes a permit at each time in turn and returns which were granted.
    static func grants(_ bucket: inout TokenBucket, at times: [Double]) -> [Bool] {
        times.map { bucket.take(at: $0) }
    }

    @Test func aFullBucketAllowsItsCapacityThenRefillsAtTheRate() {
        var bucket = TokenBucket(capacity: 3, period: 60)
        #expect(Self.grants(&bucket, at: [0, 0, 0, 0]) == [true, true, true, false])
        #expect(bucket.secondsUntilNextPermit(at: 0) == 20)
        #expect(Self.grants(&bucket, at: [19.9, 20.0, 20.0, 1000]) == [false, true, false, true])
    }

    @Test func timeGoingBackwardsNeitherCreditsNorCrashes() {
        var bucket = TokenBucket(capacity: 1, period: 10)
        #expect(Self.grants(&bucket, at: [100, 50, 110]) == [true, false, true])
    }
}

@Suite struct RateLimitRuleTests {
    @Test(arguments: [
        ("/wxa/msg_sec_check 4000/minute", "/wxa/msg_sec_check", 4000, 60.0),
        ("/wxa/getwxacode 5000/day", "/wxa/getwxacode", 5000, 86_400.0),
        ("/wxa/* 10/second", "/wxa/*", 10, 1.0),
        ("/tcb/invokecloudfunction\t100/hour", "/tcb/invokecloudfunction", 100, 3600.0),
    ])
    func validRules(_ text: String, _ path: String, _ limit: Int, _ period: Double) throws {
        let rule = try RateLimitRule.parse(text).get()
        #expect(rule.path == path)
        #expect(rule.limit == limit)
        #expect(rule.period == period)
    }

    @Test(arguments: ["/wxa/x", "/wxa/x 10", "/wxa/x 0/minute", "/wxa/x ten/minute", "/wxa/x 10/week", "wxa/x 10/minute", "/wxa/../x 1/day", "/wxa/x 1/day extra"])
    func invalidRulesSayWhatIsWrong(_ text: String) {
        guard case .failure(let error) = RateLimitRule.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(!error.message.isEmpty)
    }

    @Test func prefixRulesCoverPathsStrictlyBelowThem() throws {
        let rule = try RateLimitRule.parse("/wxa/* 1/second").get()
        #expect(rule.covers("/wxa/msg_sec_check"))
        #expect(!rule.covers("/wxa/"))
        #expect(!rule.covers("/wxaa/x"))
        let exact = try RateLimitRule.parse("/wxa/getwxacode 1/second").get()
        #expect(exact.covers("/wxa/getwxacode"))
        #expect(!exact.covers("/wxa/getwxacode/x"))
    }
}
