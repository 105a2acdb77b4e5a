// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Runs blocking system calls (file reads, writes, fsync, rename) on a ``FileIOPool``, so they never occupy a
/// thread of the Swift concurrency pool or an event loop, and a file system that stops answering cannot hold
/// the caller forever.
public enum BlockingIO {
    /// Runs `body` on `pool` (by default the pool for configuration and other occasional files).
    /// - Throws: what `body` threw, ``FileIOStalled``, or `CancellationError`.
    public static func run<Result: Sendable>(
        on pool: FileIOPool = .general, _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await pool.run(body)
    }
}
