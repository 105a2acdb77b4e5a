// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import SidecarCore
import Synchronization
import TestSupport
import Testing
import WeChatEmulator

/// Malformed HTTP sent raw: a fixed corpus (CRLF injection, smuggling shapes, huge heads, broken chunking,
/// foreign protocols) and seeded random mutations of valid requests. After every input the daemon serves;
/// after all of them, every path the upstream saw is one the validator accepts and the whitelist allows,
/// no injected header reached it, and the token endpoint was never called on a client's behalf.
@Suite struct MalformedHTTPTests {
    static let whitelistText = "/wxa/msg_sec_check\n/wxa/getwxacode\n/tcb/invokecloudfunction\n/echo/*\n"

    static var options: SidecarHarness.Options {
        var options = SidecarHarness.Options()
        options.whitelist = whitelistText
        options.maxBodyBytes = 1 << 20
        return options
    }

    /// What came back on one connection: the bytes until the daemon closed it.
    struct Exchange: Sendable {
        var input: String
        var received: [UInt8]
        var statuses: [Int] {
            let text = String(decoding: received, as: UTF8.self)
            return text.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
        }
        var text: String { String(decoding: received, as: UTF8.self) }
    }

    /// Sends `bytes`, closes the sending side, and reads until the daemon closes (at most `timeout` seconds).
    static func exchange(_ input: MalformedHTTPCorpus.Input, port: Int) async throws -> Exchange {
        try await DedicatedThread.run {
            let socket = try RawSocket(port: port, timeoutSeconds: 10)
            socket.send(input.bytes)
            socket.shutdownWrite()
            return Exchange(input: input.name, received: socket.readAll(limit: 8 << 20))
        }
    }

    /// Sends every input, `width` connections at a time, checking after each batch that the daemon serves.
    static func sendAll(_ inputs: [MalformedHTTPCorpus.Input], to harness: SidecarHarness, width: Int = 6) async throws -> [Exchange] {
        var exchanges: [Exchange] = []
        for start in stride(from: 0, to: inputs.count, by: width) {
            let batch = inputs[start..<min(start + width, inputs.count)]
            try await withThrowingTaskGroup(of: Exchange.self) { group in
                for input in batch { group.addTask { try await exchange(input, port: harness.sidecarPort) } }
                for try await exchange in group { exchanges.append(exchange) }
            }
            let healthy = try await harness.send("GET", "/-/healthy")
            #expect(healthy.status == 200, "not serving after \(batch.map(\.name))")
        }
        return exchanges
    }

    /// The upstream's view: only validated, whitelisted paths; the token endpoint only for the sidecar's own fetches.
    static func expectNothingForwardedOffTheWhitelist(_ harness: SidecarHarness, tokenFetchesBefore: Int) throws {
        let whitelist = try PathWhitelist.parse(whitelistText).get().whitelist
        for (path, count) in harness.emulator.knobs.stats.requestsByPath where path != "/cgi-bin/stable_token" {
            #expect(PathValidator.check(path: path) == nil, "the upstream saw an invalid path \(path.debugDescription) ×\(count)")
            #expect((try? whitelist.match(path[...]).get()) != nil, "the upstream saw a non-whitelisted path \(path.debugDescription) ×\(count)")
        }
        #expect(harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token") == tokenFetchesBefore)
        #expect(harness.emulator.knobs.stats.requests(to: "/cgi-bin/token") == 0)
    }

    /// A 5xx other than 501 (the answer to an unsupported Transfer-Encoding), 502 or 503 would be a sidecar fault.
    static func isUnexpectedServerError(_ status: Int) -> Bool {
        status >= 500 && ![501, 502, 503].contains(status)
    }

    @Test func fixedCorpusLeavesTheDaemonServingAndForwardsNothingOffTheWhitelist() async throws {
        try await withSidecar(Self.options) { harness in
            let fetches = harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token")
            let exchanges = try await Self.sendAll(MalformedHTTPCorpus.fixed, to: harness)
            #expect(exchanges.count == MalformedHTTPCorpus.fixed.count)
            for exchange in exchanges {
                // An echo that came back shows the headers the upstream received: nothing injected.
                #expect(!exchange.text.lowercased().contains(#""x-injected""#), "\(exchange.input): a header was injected upstream")
                #expect(!exchange.statuses.contains(where: Self.isUnexpectedServerError), "\(exchange.input): \(exchange.statuses)")
            }
            try Self.expectNothingForwardedOffTheWhitelist(harness, tokenFetchesBefore: fetches)
            #expect(try await harness.checkPasses())
            print("ReliabilityTests: \(exchanges.count) fixed malformed inputs, statuses \(Self.histogram(exchanges))")
        }
    }

    @Test func seededMutationsOfValidRequestsForwardNothingOffTheWhitelist() async throws {
        try await withSidecar(Self.options) { harness in
            let fetches = harness.emulator.knobs.stats.requests(to: "/cgi-bin/stable_token")
            let count = Int(ProcessInfo.processInfo.environment["WXSIDECAR_MUTATIONS"] ?? "") ?? 600
            var mutator = RequestMutator(seed: 0x5EED_F00D)
            let inputs = (0..<count).map { _ in mutator.next() }
            let exchanges = try await Self.sendAll(inputs, to: harness, width: 8)
            for exchange in exchanges {
                #expect(!exchange.statuses.contains(where: Self.isUnexpectedServerError), "\(exchange.input): \(exchange.statuses)")
            }
            try Self.expectNothingForwardedOffTheWhitelist(harness, tokenFetchesBefore: fetches)
            #expect(try await harness.checkPasses())
            print("ReliabilityTests: \(exchanges.count) mutated requests, statuses \(Self.histogram(exchanges))")
        }
    }

    @Test func slowHeadersDoNotStopTheDaemonServingOthers() async throws {
        try await withSidecar(Self.options) { harness in
            let trickling = Flag(true)
            let slowClients = 40
            let slow = Task {
                try await DedicatedThread.run {
                    let sockets = try (0..<slowClients).map { _ in try RawSocket(port: harness.sidecarPort) }
                    for socket in sockets { socket.send("GET /echo/slow HTTP/1.1\r\nHost: x\r\nX-Slow: ") }
                    while trickling.value {
                        for socket in sockets { socket.send("a") }
                        usleep(100_000)
                    }
                    for socket in sockets { socket.close() }
                }
            }
            defer { trickling.value = false }
            var passed = 0
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(3) {
                let begun = ContinuousClock.now
                #expect(try await harness.checkPasses())
                // Generous: the point is that slow clients hold nothing others need, not latency under load.
                #expect(ContinuousClock.now - begun < .seconds(5), "a call waited behind slow clients")
                passed += 1
            }
            trickling.value = false
            try await slow.value
            #expect(passed >= 3)
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/slow") == 0)
        }
    }

    static func histogram(_ exchanges: [Exchange]) -> String {
        var counts: [String: Int] = [:]
        for exchange in exchanges { counts[exchange.statuses.first.map(String.init) ?? "closed", default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
    }
}

/// Seeded random mutations of valid requests: bytes that matter to HTTP and path parsing inserted, bytes
/// deleted, ranges duplicated, bits flipped. The same seed gives the same inputs.
struct RequestMutator {
    private var state: UInt64
    private var counter = 0

    init(seed: UInt64) { state = seed }

    static let bases: [String] = [
        "GET /echo/a/b?x=1&y=2 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n",
        "POST /wxa/msg_sec_check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 56\r\n\r\n{\"version\":2,\"openid\":\"o1\",\"scene\":1,\"content\":\"hello\"}",
        "POST /tcb/invokecloudfunction?env=e&name=n HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "GET http://api.weixin.qq.com/echo/abs?access_token=mine HTTP/1.1\r\nHost: api.weixin.qq.com\r\n\r\n",
        "GET /echo/x?cloudbase_access_token=abc HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
    ]

    static let interesting: [UInt8] = [
        0x0D, 0x0A, 0x00, 0x20, 0x09, 0x25, 0x2E, 0x2F, 0x5C, 0x3B, 0x23, 0x3F, 0x3A, 0x40, 0x80, 0xFF, 0x7F, 0x2C, 0x2B,
    ]

    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int { Int(random() % UInt64(max(bound, 1))) }

    mutating func next() -> MalformedHTTPCorpus.Input {
        counter += 1
        var bytes = Array(Self.bases[below(Self.bases.count)].utf8)
        let mutations = 1 + below(3)
        var applied: [String] = []
        for _ in 0..<mutations where !bytes.isEmpty {
            let at = below(bytes.count)
            switch below(6) {
            case 0, 1:
                let byte = Self.interesting[below(Self.interesting.count)]
                bytes.insert(byte, at: at)
                applied.append("insert \(byte) at \(at)")
            case 2:
                let length = min(1 + below(8), bytes.count - at)
                bytes.removeSubrange(at..<at + length)
                applied.append("delete \(length) at \(at)")
            case 3:
                let length = min(1 + below(16), bytes.count - at)
                bytes.insert(contentsOf: bytes[at..<at + length], at: at)
                applied.append("duplicate \(length) at \(at)")
            case 4:
                bytes[at] ^= UInt8(1 << below(8))
                applied.append("flip at \(at)")
            default:
                let segment = Array(["/..", "/.", "//", "/%2e%2e", "/cgi-bin/token", "\r\nX-Injected: 1"][below(6)].utf8)
                bytes.insert(contentsOf: segment, at: at)
                applied.append("splice at \(at)")
            }
        }
        return MalformedHTTPCorpus.Input(name: "mutation \(counter): \(applied.joined(separator: ", "))", bytes: bytes)
    }
}
