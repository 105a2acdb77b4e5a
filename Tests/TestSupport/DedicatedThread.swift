// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Runs blocking test work (raw sockets, tight file-reading loops) on a thread of its own, so it never
/// occupies the Swift concurrency pool nor NIO's blocking pool, which the daemon under test uses for its files.
public enum DedicatedThread {
    /// Runs `body` on a new thread and returns (or throws) what it did.
    public static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try body() })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
