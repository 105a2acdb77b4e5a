// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The HTTP server on a unix socket that appears at `listen` with `listen_socket_mode` already set
/// (``UnixSocketPlacement``): bound in a private directory, then renamed into place before the daemon says it
/// listens. A failure to place it stops the server and fails the service (the daemon exits, the log says why).
struct UnixSocketListener: Service, CustomStringConvertible {
    var path: String
    var mode: UInt32
    var logger: Logger
    /// The server bound to `bindPath`; it calls `placed` once listening, and goes on only when that returns true.
    var makeServer: @Sendable (_ bindPath: String, _ placed: @escaping @Sendable (any Channel) async -> Bool) -> any Service

    /// What ServiceLifecycle logs for the service.
    var description: String { "UnixSocketListener(\(path))" }

    func run() async throws {
        let placement = try UnixSocketPlacement(path: path, mode: mode)
        let failure = PlacementFailure()
        let logger = self.logger
        let server = makeServer(placement.bindPath) { channel in
            do {
                try placement.publish()
                return true
            } catch {
                failure.record(error)
                logger.critical("cannot put the unix socket in place: \(error)", metadata: ["wxsidecar.listen": "unix:\(placement.path)"])
                channel.close(promise: nil)
                return false
            }
        }
        try await server.run()
        try withExtendedLifetime(placement) {
            if let error = failure.error { throw error }
        }
    }
}

/// The error of a failed placement, handed from the listening callback to the service.
private final class PlacementFailure: Sendable {
    private let stored = Mutex<(any Error)?>(nil)
    func record(_ error: any Error) { stored.withLock { $0 = error } }
    var error: (any Error)? { stored.withLock { $0 } }
}
