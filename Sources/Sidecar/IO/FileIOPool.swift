// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A few threads of its own for one concern's blocking file work (the token file, the whitelist, the
/// configuration), so a file operation that hangs — a FUSE or NFS server that stopped answering — holds only that
/// concern's threads: never the Swift concurrency pool, the event loops, libcurl's thread, nor another concern's
/// files. Waiting is bounded and cancellable: a caller gets ``FileIOStalled`` after ``timeout`` (or at once when
/// every thread is busy and one is already stuck), and cancelling the caller's task abandons the wait. The stuck
/// thread stays in the kernel until the file system answers; nobody awaits it.
public final class FileIOPool: Sendable {
    /// What the pool is for, in messages and thread names: `token file`, `whitelist`, `configuration`.
    public let concern: String
    /// Threads at most; a stuck operation keeps its thread, so this bounds what a hung file system can hold.
    public let threadLimit: Int
    /// How long a caller waits for one operation before abandoning it.
    public let timeout: Duration

    private struct State {
        var queue: [@Sendable () -> Void] = []
        var threads = 0
        var idle = 0
        /// Start of the operation each busy thread runs, by thread number.
        var busySince: [Int: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    // Threads start only when no thread is idle, so one daemon rarely runs more than one per pool; the limits leave
    // room for many daemons in one test process, whose polls and fsyncs would otherwise queue past the timeout.

    /// The token file and its directory (written by the refresher, checked every few seconds).
    public static let tokenFile = FileIOPool(concern: "token file", threadLimit: 4, timeout: .seconds(5))
    /// The whitelist file (polled twice a second, reloaded on change or SIGHUP).
    public static let whitelist = FileIOPool(concern: "whitelist", threadLimit: 8, timeout: .seconds(5))
    /// Everything else: configuration, secret and key files at start, systemd's readiness check.
    public static let general = FileIOPool(concern: "configuration", threadLimit: 2, timeout: .seconds(10))
    /// The heap releaser's reads of `/proc/self/status` and its `malloc_trim` (``HeapReleaser``): never queued
    /// behind file work, and a trim never holds up a file.
    public static let memory = FileIOPool(concern: "memory", threadLimit: 2, timeout: .seconds(10))

    public init(concern: String, threadLimit: Int, timeout: Duration) {
        precondition(threadLimit > 0)
        self.concern = concern
        self.threadLimit = threadLimit
        self.timeout = timeout
    }

    /// Runs `body` on one of the pool's threads and returns its result.
    /// - Throws: what `body` threw; ``FileIOStalled`` when it did not finish within ``timeout`` or the pool is
    ///   stuck (``isSaturated``); `CancellationError` when the calling task is cancelled first.
    public func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Result.self) { group in
            group.addTask { try await self.submit(body) }
            group.addTask {
                try await Task.sleep(for: self.timeout)
                throw FileIOStalled(concern: self.concern, timeout: self.timeout, saturated: false)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// Whether every thread is busy and one of them has been for longer than ``timeout``: the file system is not
    /// answering, and a new operation would only queue behind the stuck ones.
    var isSaturated: Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            state.busySince.count == threadLimit && state.busySince.values.contains { now - $0 > timeout }
        }
    }

    // MARK: Submitting

    private func submit<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        let job = PendingOperation<Result>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard job.attach(continuation) else { return }
                if isSaturated {
                    job.finish(.failure(FileIOStalled(concern: concern, timeout: timeout, saturated: true)))
                    return
                }
                enqueue { job.run(body) }
            }
        } onCancel: {
            job.finish(.failure(CancellationError()))
        }
    }

    private func enqueue(_ work: @escaping @Sendable () -> Void) {
        let spawn: Int? = state.withLock { state in
            state.queue.append(work)
            guard state.idle == 0, state.threads < threadLimit else { return nil }
            state.threads += 1
            return state.threads
        }
        if let spawn {
            // Linux keeps 15 bytes of a thread's name: "io-whitelist-1", "io-token-2".
            let name = "io-\(concern.prefix { $0 != " " }.prefix(10))-\(spawn)"
            let thread = Thread { [self] in
                ThreadName.set(name)
                workerLoop(number: spawn)
            }
            thread.stackSize = 512 << 10
            thread.start()
        }
        wakeup.signal()
    }

    private func workerLoop(number: Int) -> Never {
        while true {
            state.withLock { $0.idle += 1 }
            wakeup.wait()
            let work: (@Sendable () -> Void)? = state.withLock { state in
                state.idle -= 1
                guard !state.queue.isEmpty else { return nil }
                state.busySince[number] = .now
                return state.queue.removeFirst()
            }
            guard let work else { continue }
            work()
            _ = state.withLock { $0.busySince.removeValue(forKey: number) }
        }
    }
}

/// Names the calling thread (what `ps -L`, `top -H` and debuggers show) through `/proc/thread-self/comm`:
/// Foundation's `Thread.name` does not reach the kernel on Linux, and `pthread_setname_np` is not exported.
enum ThreadName {
    static func set(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = Array(name.utf8.prefix(15)).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// The calling thread's name.
    static var current: String {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
            .trimmingCharacters(in: .newlines) ?? ""
    }
}

/// A file operation that did not finish in time: the file system is not answering (a hung FUSE or NFS server,
/// a stopped volume). The operation was abandoned, not awaited.
public struct FileIOStalled: Error, Sendable, CustomStringConvertible {
    public var concern: String
    public var timeout: Duration
    /// Every thread of the pool was busy, one of them stuck, so the operation was not even started.
    public var saturated: Bool

    public var description: String {
        let seconds = timeout.components.seconds
        return saturated
            ? "\(concern) I/O is stuck (an earlier operation has not finished for over \(seconds) s); not attempted"
            : "\(concern) I/O did not finish within \(seconds) s (the file system is not answering); abandoned"
    }
}

/// One submitted operation: resumed exactly once, by its thread, a refusal, or the caller's cancellation.
private final class PendingOperation<Result: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result, any Error>?
        var outcome: Swift.Result<Result, any Error>?
    }
    private let state = Mutex(State())

    /// Keeps the continuation; `false` (after resuming it) when the operation already ended (cancelled first).
    func attach(_ continuation: CheckedContinuation<Result, any Error>) -> Bool {
        let early = state.withLock { state -> Swift.Result<Result, any Error>? in
            if let outcome = state.outcome { return outcome }
            state.continuation = continuation
            return nil
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    /// Runs `body` unless the operation was already given up.
    func run(_ body: @Sendable () throws -> Result) {
        guard state.withLock({ $0.outcome == nil }) else { return }
        finish(Swift.Result { try body() })
    }

    func finish(_ outcome: Swift.Result<Result, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Result, any Error>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: outcome)
    }
}
