// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOPosix

/// Runs Swift concurrency's global executor on the NIO event loops, so a request's task, its socket and its
/// response share threads instead of hopping between Swift's cooperative pool and an event loop on every await.
public enum EventLoopExecutor {
    /// Installs `MultiThreadedEventLoopGroup.singleton` as the global executor; call once, first thing in `main`,
    /// before any task runs. Safe only because nothing in the daemon blocks a concurrency thread (blocking file
    /// work goes through ``BlockingIO``'s thread pool, libcurl has its own thread).
    /// - Returns: whether it was installed.
    @discardableResult
    public static func install() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
