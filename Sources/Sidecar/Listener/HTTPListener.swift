// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import Synchronization

/// One listening socket as a service: binds, accepts every connection straight into ``SidecarHTTP1Channel``'s
/// pipeline on the event loops, and on graceful shutdown stops accepting, tells every connection to quiesce
/// (``ConnectionHandler`` finishes the request in flight and closes) and returns once all have closed.
///
/// NIO's `ServerBootstrap` and swift-nio-extras' `ServerQuiescingHelper` directly, rather than HummingbirdCore's
/// server: that one hands each accepted connection to a Swift task through an async sequence with a small buffer,
/// so accepting waits on that task, which on a busy event loop (the tasks run on the loops) left a burst of a
/// thousand connecting callers up to 2 s behind (BENCHMARKS.md, session 6); and it kept one task per connection.
struct HTTPListener: Service, CustomStringConvertible {
    enum Address: Sendable {
        case host(String, port: Int)
        case unixSocket(path: String)
    }

    /// What ServiceLifecycle logs for the service: the address only (the connections' services hold the accounts'
    /// keys, which a value dump would print).
    var description: String {
        switch address {
        case .host(let host, let port): "HTTPListener(\(host):\(port))"
        case .unixSocket(let path): "HTTPListener(unix:\(path))"
        }
    }

    var address: Address
    var connections: SidecarHTTP1Channel
    var group: MultiThreadedEventLoopGroup
    /// Called once bound, before anything else waits; may close the channel (a unix socket that could not be
    /// placed), which stops the service.
    var onListening: @Sendable (any Channel) async -> Void

    /// Connections the kernel queues before they are accepted.
    static let backlog: Int32 = 256
    /// Connections accepted per readiness event: enough that a burst is taken in a few turns of a busy loop.
    static let acceptsPerTurn: UInt = 256

    func run() async throws {
        let quiescing = ServerQuiescingHelper(group: group)
        let connections = self.connections
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: Self.backlog)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.maxMessagesPerRead, value: Self.acceptsPerTurn)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in connections.setup(channel: channel) }
        let server: any Channel =
            switch address {
            case .host(let host, let port): try await bootstrap.bind(host: host, port: port).get()
            case .unixSocket(let path): try await bootstrap.bind(unixDomainSocketPath: path).get()
            }
        let drained = server.eventLoop.makePromise(of: Void.self)
        let stop = { @Sendable in quiescing.initiateShutdown(promise: drained) }
        // Closed without a shutdown (the placement failed): wind down the same way.
        server.closeFuture.whenComplete { _ in stop() }
        // Ends when every connection has closed, or at once when the task is cancelled (the group's grace is over).
        let ended = Ending(server.eventLoop.makePromise(of: Void.self))
        drained.futureResult.whenComplete { _ in ended.end() }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await onListening(server)
                try? await ended.promise.futureResult.get()
            } onCancel: {
                stop()
                ended.end()
            }
        } onGracefulShutdown: {
            stop()
        }
    }
}

/// A promise completed once, by whichever of its completers comes first.
private final class Ending: Sendable {
    let promise: EventLoopPromise<Void>
    private let ended = Atomic<Bool>(false)

    init(_ promise: EventLoopPromise<Void>) { self.promise = promise }

    func end() {
        guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
        promise.succeed()
    }
}
