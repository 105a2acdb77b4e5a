// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOPosix

/// Runs blocking system calls (file reads, writes, fsync, rename) on NIO's blocking thread pool, so they
/// never occupy a thread of the Swift concurrency pool.
public enum BlockingIO {
    /// Runs `body` on `NIOThreadPool.singleton` and returns its result.
    public static func run<Result: Sendable>(
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
