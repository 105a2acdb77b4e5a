// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import NIOPosix

// MARK: - ConnectProxy

/// A forward proxy on loopback that speaks only `CONNECT`, as corporate egress proxies do for HTTPS: it records
/// every tunnel asked for (the target as asked, whether the credentials matched, how it was answered), then
/// relays bytes both ways. It never sees inside a tunnel: TLS runs end to end. Anything else is answered 405 and
/// only counted (``otherRequests``): a port freed by one test may be taken by this proxy while another test's
/// daemon still calls it.
///
/// It can resolve names the machine cannot (``hosts``: `upstream.invalid` → `127.0.0.1`), so a client that
/// reaches such a name proves it went through the proxy; it refuses targets outside ``allowedHosts`` (403).
public final class ConnectProxy: Sendable {
    /// One `CONNECT` the proxy received.
    public struct Tunnel: Sendable, CustomStringConvertible {
        /// `host:port` as the client asked for it.
        public var target: String
        /// Whether `Proxy-Authorization` carried the expected credentials (always true when none are required).
        public var authorized: Bool
        /// The status the proxy answered: 200 (tunnel open), 403 (target not allowed), 407 (credentials) or 502
        /// (target unreachable).
        public var status: Int
        public var description: String { "CONNECT \(target) → \(status)" }
    }

    /// The bound port.
    public let port: Int
    /// Every tunnel asked for (every `CONNECT`), in order.
    public let tunnels: EventLog<Tunnel>
    /// The first line of every request that was not a `CONNECT`.
    public let otherRequests: EventLog<String>
    private let channel: any Channel

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, log: ConnectLog, channel: any Channel) {
        self.port = port
        self.tunnels = log.tunnels
        self.otherRequests = log.otherRequests
        self.channel = channel
    }

    /// What the proxy accepts.
    public struct Rules: Sendable {
        /// `user:password` the client must send (HTTP Basic), or `nil` for none.
        public var credentials: String?
        /// Names the proxy resolves itself: name → address.
        public var hosts: [String: String]
        /// Host names (before mapping) a tunnel may go to; `nil` for any.
        public var allowedHosts: Set<String>?

        public init(credentials: String? = nil, hosts: [String: String] = [:], allowedHosts: Set<String>? = nil) {
            self.credentials = credentials
            self.hosts = hosts
            self.allowedHosts = allowedHosts
        }
    }

    /// Starts a proxy on a free loopback port.
    public static func start(_ rules: Rules = Rules()) async throws -> ConnectProxy {
        let log = ConnectLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectRequestHandler(rules: rules, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return ConnectProxy(port: channel.localAddress?.port ?? 0, log: log, channel: channel)
    }

    /// Stops accepting; open tunnels close with their clients.
    public func stop() async {
        try? await channel.close()
    }
}

/// Runs `body` with a ``ConnectProxy`` and stops it before returning, whether `body` returned or threw.
public func withConnectProxy<Result>(
    _ rules: ConnectProxy.Rules = ConnectProxy.Rules(), _ body: (ConnectProxy) async throws -> Result
) async throws -> Result {
    let proxy = try await ConnectProxy.start(rules)
    return try await withTeardown { try await body(proxy) } teardown: { await proxy.stop() }
}

// MARK: - Handlers

/// What the proxy's connections record.
private struct ConnectLog: Sendable {
    let tunnels = EventLog<ConnectProxy.Tunnel>()
    let otherRequests = EventLog<String>()
}

/// Reads one `CONNECT` head, answers it, and once the tunnel is open relays bytes to the target.
private final class ConnectRequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let rules: ConnectProxy.Rules
    private let log: ConnectLog
    private var head = ByteBuffer()
    private var peer: (any Channel)?
    private var answered = false

    init(rules: ConnectProxy.Rules, log: ConnectLog) {
        self.rules = rules
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if let peer {
            peer.writeAndFlush(bytes, promise: nil)
            return
        }
        guard !answered else { return }  // bytes before the tunnel opened: a client that did not wait
        head.writeBuffer(&bytes)
        let text = String(buffer: head)
        guard let end = text.range(of: "\r\n\r\n") else { return }
        answered = true
        handle(head: String(text[..<end.lowerBound]), context: context)
    }

    private func handle(head: String, context: ChannelHandlerContext) {
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count == 3, parts[0] == "CONNECT", let colon = parts[1].lastIndex(of: ":"),
            let port = Int(parts[1][parts[1].index(after: colon)...])
        else {
            log.otherRequests.append(String(lines[0].prefix(100)))
            return answer(405, context: context)
        }
        let target = String(parts[1])
        let host = String(parts[1][..<colon])
        let authorized = rules.credentials.map { expected in
            let field = lines.dropFirst().first { $0.lowercased().hasPrefix("proxy-authorization:") }
            let value = field.map { $0.dropFirst("proxy-authorization:".count).trimmingCharacters(in: .whitespaces) }
            return value == "Basic " + Data(expected.utf8).base64EncodedString()
        } ?? true
        guard authorized else { return refuse(407, target: target, authorized: false, context: context) }
        guard rules.allowedHosts?.contains(host) ?? true else {
            return refuse(403, target: target, authorized: true, context: context)
        }
        let relay = RelayHandler(peer: context.channel)
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(relay) }
            }
            .connect(host: rules.hosts[host] ?? host, port: port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let outbound):
                    self.peer = outbound
                    self.log.tunnels.append(.init(target: target, authorized: true, status: 200))
                    let established = ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")
                    context.writeAndFlush(NIOAny(established), promise: nil)
                case .failure:
                    self.refuse(502, target: target, authorized: true, context: context)
                }
            }
    }

    private func refuse(_ status: Int, target: String, authorized: Bool, context: ChannelHandlerContext) {
        log.tunnels.append(.init(target: target, authorized: authorized, status: status))
        answer(status, context: context)
    }

    /// Answers `status` and closes the connection.
    private func answer(_ status: Int, context: ChannelHandlerContext) {
        let reason = [403: "Forbidden", 405: "Method Not Allowed", 407: "Proxy Authentication Required"][status] ?? "Bad Gateway"
        let challenge = status == 407 ? "Proxy-Authenticate: Basic realm=\"test\"\r\n" : ""
        let answer = "HTTP/1.1 \(status) \(reason)\r\n\(challenge)Content-Length: 0\r\nConnection: close\r\n\r\n"
        context.writeAndFlush(NIOAny(ByteBuffer(string: answer))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The target's side of a tunnel: every byte goes to the client; either side closing closes both.
private final class RelayHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let peer: any Channel

    init(peer: any Channel) {
        self.peer = peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
