// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOPosix

/// Runs Swift concurrency's global executor on the NIO event loops, so a request's task, its socket and its
/// response share threads instead of hopping between Swift's cooperative pool and an event loop on every await.
public enum EventLoopExecutor {
    /// Sizes `MultiThreadedEventLoopGroup.singleton` (``loopCount(cores:)``) and installs it as the global executor;
    /// call once, first thing in `main`, before any task runs. Safe only because nothing in the daemon blocks a
    /// concurrency thread (blocking file work goes through ``BlockingIO``'s thread pool, libcurl has its own thread).
    /// - Returns: whether it was installed.
    @discardableResult
    public static func install() -> Bool {
        NIOSingletons.groupLoopCountSuggestion = loopCount(cores: System.coreCount)
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// One event loop per core but one: every upstream call also runs on the libcurl thread, which needs a core of
    /// its own under load; a loop beside it on the same core only takes turns with it (on 2 cores, one loop costs
    /// 10–20 % less CPU per call than two, BENCHMARKS.md, session 6). `cores` is NIO's count, which honours a
    /// cgroup CPU limit.
    public static func loopCount(cores: Int) -> Int {
        max(1, cores - 1)
    }
}
