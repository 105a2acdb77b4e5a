// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import Sidecar
import SidecarCore
import Testing

/// ``ConnectionHandler`` in an `EmbeddedChannel` with the real pipeline: timeouts driven by `advanceTime` (no
/// wall-clock waits), the head rules, the admin route table, `CONNECT`, quiesce. Nothing reaches an upstream here:
/// the calls that would are left waiting for their body.
@Suite struct ConnectionHandlerTests {
    static let idle = TimeAmount.seconds(75)
    static let header = TimeAmount.seconds(10)

    /// A connection with the real handlers, serving from in-memory state (a held token, `/echo/*` whitelisted).
    final class Connection {
        let channel = EmbeddedChannel()
        let client: CurlClient
        let ledger: RequestLedger

        init(maxConcurrentRequests: Int = 64) throws {
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            client = try CurlClient(logger: logger)
            let metrics = SidecarMetrics()
            let tokens = TokenState()
            tokens.update {
                $0.token = AccessToken(value: "TOKEN_for_the_handler_tests", fetchedAt: WallClock.now(), expiresIn: 7200)
            }
            let whitelist = WhitelistStore(
                .init(paths: try PathWhitelist.parse("/echo/*\n").get().whitelist, loadedAt: 0, file: "test"))
            let redactor = Redactor(secrets: [])
            let nowhere = "http://127.0.0.1:9"
            let tokenSettings = SidecarConfiguration.Token(
                mode: .stable, file: "/nonexistent/token", fileMode: 0o600, refreshInterval: 600, metadataFile: nil)
            let tokenFile = TokenFileWriter(path: tokenSettings.file, mode: 0o600, metadataPath: nil, tokenMode: .stable)
            let accountMetrics = metrics.account("wx")
            let routes = UpstreamRoutes(
                .init(baseURL: nowhere, caFile: nil, timeout: 1), client: client, metrics: metrics, logger: logger)
            let refresher = TokenRefresher(
                endpoint: TokenEndpoint(mode: .stable, appid: "wx", secret: "secret", routes: routes),
                probe: TokenProbe(routes: routes), state: tokens, file: tokenFile,
                policy: RefreshPolicy(), metrics: accountMetrics, redactor: redactor, logger: logger)
            let settings = SidecarConfiguration.Account(
                name: "default", appid: "wx", kind: .miniprogram,
                secret: .init(value: "secret", origin: "test"), token: tokenSettings, whitelist: .init(file: "test"),
                rateLimits: [], tickets: [], ticketFiles: [:], keyPrefix: "")
            let accounts = AccountDirectory(all: [
                ServedAccount(
                    name: "default", appid: "wx", kind: .miniprogram, tokens: tokens, refresher: refresher,
                    whitelist: whitelist, metrics: accountMetrics, tickets: TicketState(kinds: []), ticketKeeper: nil,
                    configuration: settings, tokenFile: tokenFile,
                    quota: QuotaGuard(rules: [], metrics: accountMetrics))
            ])
            let forwarder = ProxyForwarder(
                settings: .init(timeout: 1, maxBodyBytes: 1 << 20), routes: routes, accounts: accounts,
                metrics: metrics, redactor: redactor)
            ledger = RequestLedger(
                gate: CallerGate(.init()), maxConcurrentRequests: maxConcurrentRequests, metrics: metrics, logger: logger)
            let status = StatusReporter(accounts: accounts, routes: routes, redactor: redactor, startedAt: 0)
            let services = ConnectionHandler.Services(
                routes: .api(forwarder: forwarder, admin: AdminEndpoints(accounts: accounts, metrics: metrics, status: status)),
                ledger: ledger, budget: BodyBudget(limit: 1 << 20), cap: ConnectionCap(configured: 16),
                limits: .init(idleTimeout: ConnectionHandlerTests.idle.nanoseconds, headerTimeout: ConnectionHandlerTests.header.nanoseconds))
            let connection = ConnectionHandler(services: services, now: channel.eventLoop.now)
            try SidecarHTTP1Channel.addHandlers(
                to: channel.pipeline.syncOperations, connection: connection, decoderLimits: .init())
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        /// Everything written to the caller so far.
        func written() throws -> String {
            var text = ""
            while let data = try channel.readOutbound(as: IOData.self) {
                if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
            }
            return text
        }

        func advance(_ amount: TimeAmount) {
            (channel.eventLoop as! EmbeddedEventLoop).advanceTime(by: amount)
        }

        var isOpen: Bool { channel.isActive }

        func finish() {
            _ = try? channel.finish()
            client.shutdown()
        }
    }

    // MARK: Timeouts

    @Test func aHeadThatStallsGets408AtTheHeaderTimeout() throws {
        let connection = try Connection()
        defer { connection.finish() }
        try connection.send("GET /-/healthy HT")
        connection.advance(Self.header - .milliseconds(1))
        #expect(try connection.written().isEmpty)
        #expect(connection.isOpen)
        connection.advance(.milliseconds(1))
        let written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.1 408"))
        #expect(written.contains("request head not received"))
        #expect(!connection.isOpen)
    }

    @Test func aBodyThatStallsGets408AndFreesItsSlot() throws {
        let connection = try Connection()
        defer { connection.finish() }
        try connection.send("POST /echo/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        connection.advance(.seconds(9))
        try connection.send("de")  // progress moves the deadline
        connection.advance(.seconds(9))
        #expect(try connection.written().isEmpty)
        connection.advance(.seconds(1))
        let written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.1 408"))
        #expect(written.contains("request body not received"))
        #expect(!connection.isOpen)
    }

    @Test func anIdleConnectionClosesAfterTheIdleTimeoutCountedFromTheFlush() throws {
        let connection = try Connection()
        defer { connection.finish() }
        connection.advance(.seconds(30))
        try connection.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.written().contains("200 OK"))
        connection.advance(Self.idle - .milliseconds(1))
        #expect(connection.isOpen)
        connection.advance(.milliseconds(1))
        #expect(!connection.isOpen)
    }

    @Test func quiesceClosesAnIdleConnection() throws {
        let connection = try Connection()
        defer { connection.finish() }
        connection.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!connection.isOpen)
    }

    // MARK: Head rules

    @Test(arguments: [
        ("GET /-/healthy HTTP/1.1\r\n\r\n", "HTTP/1.1 400", "without a Host"),
        ("GET /-/healthy HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP/1.1 400", "more than one Host"),
        ("POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "HTTP/1.1 501", "Transfer-Encoding"),
        ("GET /-/healthy HTTP/1.1\r\nHost: x\r\nExpect: something\r\n\r\n", "HTTP/1.1 417", "Expect"),
        ("GET /-/healthy HTTP/1.0\r\n\r\n", "HTTP/1.0 200", "ok"),
    ])
    func headsAreCheckedBeforeAnythingElse(_ request: String, _ status: String, _ fragment: String) throws {
        let connection = try Connection()
        defer { connection.finish() }
        try connection.send(request)
        let written = try connection.written()
        #expect(written.hasPrefix(status), "\(written)")
        #expect(written.contains(fragment))
    }

    @Test func expect100ContinueIsAnsweredOnceTheCallIsAdmitted() throws {
        let connection = try Connection()
        defer { connection.finish() }
        try connection.send("POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        #expect(try connection.written().hasPrefix("HTTP/1.1 100 Continue\r\n"))
        let refused = try Connection()
        defer { refused.finish() }
        try refused.send("POST /not/listed HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let answer = try refused.written()
        #expect(answer.hasPrefix("HTTP/1.1 403"), "a refused call gets its answer, never a 100")
    }

    @Test func anAnswerToHEADHasTheHeadOfGETAndNoBody() throws {
        let connection = try Connection()
        defer { connection.finish() }
        try connection.send("GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        let get = try connection.written()
        let getHead = String(get[..<get.range(of: "\r\n\r\n")!.upperBound])
        try connection.send("HEAD /-/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try connection.written()
        #expect(head.hasSuffix("\r\n\r\n") && !head.contains("ready\":"), "\(head)")
        #expect(head.replacingOccurrences(of: #"x-openapi-seqid: [^\r]*"#, with: "", options: .regularExpression)
            == getHead.replacingOccurrences(of: #"x-openapi-seqid: [^\r]*"#, with: "", options: .regularExpression))
        // The connection goes on: nothing of a body was left to be read as the next answer.
        try connection.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.written().hasPrefix("HTTP/1.1 200"))
    }

    // MARK: Routes

    @Test func adminRequestsAreAnsweredFromTheRouteTable() throws {
        let connection = try Connection()
        defer { connection.finish() }
        try connection.send("GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.written().contains(#"{"ready":true}"#))
        try connection.send("POST /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        #expect(try connection.written().hasPrefix("HTTP/1.1 405"))
        try connection.send("GET /-/nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        let missing = try connection.written()
        #expect(missing.hasPrefix("HTTP/1.1 404"))
        #expect(missing.contains("/-/healthy, /-/jssdk/signature, /-/metrics, /-/ready, /-/status, /-/token/refresh"))
        // A body route takes POST only, and reads the body before it answers.
        try connection.send("GET /-/token/refresh HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.written().hasPrefix("HTTP/1.1 405"))
    }

    @Test func probesAreNeverRefusedByTheConcurrencyLimit() throws {
        let connection = try Connection(maxConcurrentRequests: 0)
        defer { connection.finish() }
        try connection.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.written().hasPrefix("HTTP/1.1 200"))
        try connection.send("GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.written().hasPrefix("HTTP/1.1 200"))
        try connection.send("GET /-/status HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.written().hasPrefix("HTTP/1.1 503"))
    }

    @Test func connectIsRefusedWithABodyAndTheConnectionCloses() throws {
        let connection = try Connection()
        defer { connection.finish() }
        try connection.send("CONNECT api.weixin.qq.com:443 HTTP/1.1\r\nHost: api.weixin.qq.com:443\r\n\r\n")
        let written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.1 403"))
        #expect(written.contains("85107"))
        #expect(!connection.isOpen)
    }
}
