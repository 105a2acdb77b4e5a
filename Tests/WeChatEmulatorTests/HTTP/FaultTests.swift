// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

/// Faults over real sockets: errcodes, HTTP statuses, delays, dropped connections and resets mid-body.
@Suite("Faults over HTTP")
struct FaultTests {
    @Test("an errcode fault answers its errcode for its count, then the endpoint works again")
    func errcodeCounted() async throws {
        try await withEmulator { emulator in
            emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/cgi-bin/stable_token", action: .errcode(-1, errmsg: nil), count: 2))
            for _ in 0..<2 {
                let busy = try await emulator.post("/cgi-bin/stable_token", json: emulator.stableBody())
                #expect(busy.status == 200)
                #expect(busy.errcode == -1)
            }
            _ = try await emulator.stableToken()
            let stats = emulator.knobs.stats
            #expect(stats.faultsApplied == 2)
            #expect(stats.requests(to: "/cgi-bin/stable_token") == 3)
            #expect(stats.errcodes[-1] == 2)
            #expect(emulator.knobs.faults.isEmpty)
        }
    }

    @Test(
        "errcode faults carry the given message, or the catalogue's; 40164 names the caller's IP",
        arguments: [
            (40164, nil, "invalid ip 127.0.0.1, not in whitelist rid: "),
            (40164, "invalid ip 1.2.3.4, not in whitelist", "invalid ip 1.2.3.4, not in whitelist"),
            (45009, nil, "reach max api daily quota limit rid: "),
            (40125, nil, "invalid appsecret rid: "),
        ] as [(Int, String?, String)])
    func errcodeMessages(code: Int, message: String?, expected: String) async throws {
        try await withEmulator { emulator in
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/", action: .errcode(code, errmsg: message)))
            let response = try await emulator.get("/cgi-bin/token")
            #expect(response.errcode == code)
            let errmsg = try #require(response.json["errmsg"] as? String)
            #expect(message == nil ? errmsg.hasPrefix(expected) : errmsg == expected)
        }
    }

    @Test("a status fault answers that HTTP status and body, on any path under its prefix")
    func httpStatus() async throws {
        try await withEmulator { emulator in
            emulator.knobs.addFault(
                EmulatorFault(pathPrefix: "/wxa/", action: .httpStatus(502, body: "<html>bad gateway</html>")))
            let response = try await emulator.post("/wxa/msg_sec_check", json: "{}")
            #expect(response.status == 502)
            #expect(response.text == "<html>bad gateway</html>")
            #expect(response.header("content-type")?.hasPrefix("text/plain") == true)
            #expect(response.header(EmulatorHeaders.requestID) != nil)
            #expect(try await emulator.get("/cgi-bin/token").status == 200)
        }
    }

    @Test("a delay fault holds only its own request; others are answered meanwhile")
    func delayDoesNotBlock() async throws {
        try await withEmulator { emulator in
            // A long delay, so the ordering below holds even when the whole test suite loads both cores.
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/slow", action: .none, count: 1, delay: .seconds(6)))
            // Warm up: on a cold client, libcurl's PIPEWAIT makes a second request wait for the first connection
            // (whose protocol is not yet known) instead of opening another one.
            _ = try await emulator.get("/warm")
            let clock = ContinuousClock()
            let start = clock.now
            async let slow = { () async throws -> (UpstreamResponse, ContinuousClock.Instant) in
                let response = try await emulator.get("/slow?access_token=x")
                return (response, clock.now)
            }()
            try await Task.sleep(for: .milliseconds(100))
            try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<3 { group.addTask { try await emulator.get("/fast").errcode } }
                for try await errcode in group { #expect(errcode == 41001) }
            }
            let fastDone = clock.now
            let (slowResponse, slowDone) = try await slow
            #expect(slowResponse.errcode == 40001)
            #expect(slowDone - start >= .seconds(6))
            #expect(fastDone < slowDone)
        }
    }

    @Test("a delay longer than the client's timeout makes the client time out")
    func delayTimesOut() async throws {
        try await withEmulator { emulator in
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/", action: .none, count: 1, delay: .seconds(3)))
            let error = await #expect(throws: CurlError.self) {
                _ = try await emulator.send("GET", "/cgi-bin/token", timeout: .milliseconds(500))
            }
            #expect(error?.kind == .timeout)
        }
    }

    @Test("a dropped connection reaches the client as an empty reply; the next call is answered")
    func dropWithCurl() async throws {
        try await withEmulator { emulator in
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/token", action: .dropConnection, count: 1))
            let error = await #expect(throws: CurlError.self) {
                _ = try await emulator.classicToken()
            }
            #expect(error?.kind == .emptyReply)
            _ = try await emulator.classicToken()
            #expect(emulator.knobs.stats.requests(to: "/cgi-bin/token") == 2)
        }
    }

    @Test("a dropped connection closes the socket with no byte sent (FIN, not RST)")
    func dropOnTheWire() async throws {
        try await withEmulator { emulator in
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/", action: .dropConnection, count: 1))
            let exchange = try await RawHTTPClient.exchange(
                "GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", port: emulator.port)
            #expect(exchange.bytes.isEmpty)
            #expect(exchange.error == nil)
        }
    }

    @Test("a reset mid-body reaches the client as a reset")
    func resetWithCurl() async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/wxa/getwxacode", action: .resetMidBody, count: 1))
            let error = await #expect(throws: CurlError.self) {
                _ = try await emulator.post(
                    "/wxa/getwxacode?access_token=\(token)", json: #"{"path":"p","emulator_image_bytes":1048576}"#)
            }
            #expect(error?.kind == .reset)
            let again = try await emulator.post(
                "/wxa/getwxacode?access_token=\(token)", json: #"{"path":"p","emulator_image_bytes":1048576}"#)
            #expect(again.body.readableBytes == 1 << 20)
        }
    }

    @Test(
        "a reset mid-body sends the head with the full Content-Length and part of the body, then a TCP RST",
        arguments: [2048, 1 << 20])
    func resetOnTheWire(size: Int) async throws {
        try await withEmulator { emulator in
            let token = try await emulator.classicToken()
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/wxa/", action: .resetMidBody, count: 1))
            let body = #"{"path":"p","emulator_image_bytes":\#(size)}"#
            let exchange = try await RawHTTPClient.exchange(
                "POST /wxa/getwxacode?access_token=\(token) HTTP/1.1\r\nHost: a\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",
                port: emulator.port)
            let head = try #require(exchange.head)
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(head.lowercased().contains("content-type: image/jpeg"))
            #expect(exchange.contentLength == size)
            #expect(exchange.bodyBytes > 0)
            #expect(exchange.bodyBytes <= size / 2)
            #expect(exchange.error?.errnoCode == ECONNRESET)
        }
    }

    @Test("a normal answer on the raw connection is complete (the baseline for the two tests above)")
    func baselineOnTheWire() async throws {
        try await withEmulator { emulator in
            let exchange = try await RawHTTPClient.exchange(
                "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", port: emulator.port)
            #expect(exchange.head?.hasPrefix("HTTP/1.1 200") == true)
            #expect(exchange.contentLength == exchange.bodyBytes)
            #expect(exchange.error == nil)
        }
    }

    @Test("knob endpoints are never faulted")
    func knobsExempt() async throws {
        try await withEmulator { emulator in
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/", action: .dropConnection))
            let stats = try await emulator.get("/-/emulator/stats")
            #expect(stats.status == 200)
            let cleared = try await emulator.send("DELETE", "/-/emulator/fault")
            #expect(cleared.text == "[]")
            #expect(try await emulator.get("/x").errcode == 41001)
        }
    }
}
