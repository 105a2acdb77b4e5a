// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOPosix

// MARK: - SilentListener

/// A TCP listener on loopback that accepts every connection and never sends a byte: a server that hangs in the
/// TLS handshake (or before any answer). Counts the connections it accepted.
public final class SilentListener: Sendable {
    /// The bound port.
    public let port: Int
    /// The client port of each accepted connection, in order.
    public let accepted: EventLog<Int>
    private let channel: any Channel

    private init(port: Int, accepted: EventLog<Int>, channel: any Channel) {
        self.port = port
        self.accepted = accepted
        self.channel = channel
    }

    /// Starts listening on a free port.
    public static func start() async throws -> SilentListener {
        let accepted = EventLog<Int>()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.append(channel.remoteAddress?.port ?? 0)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return SilentListener(port: channel.localAddress?.port ?? 0, accepted: accepted, channel: channel)
    }

    /// Stops accepting; the connections it holds close with their clients.
    public func stop() async {
        try? await channel.close()
    }
}

/// Runs `body` with a ``SilentListener`` and stops it before returning, whether `body` returned or threw.
public func withSilentListener<Result>(_ body: (SilentListener) async throws -> Result) async throws -> Result {
    let listener = try await SilentListener.start()
    return try await withTeardown { try await body(listener) } teardown: { await listener.stop() }
}
