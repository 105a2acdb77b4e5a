// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process the tests start (the daemon, `openssl`, `make`, helper tools), launched with `posix_spawn` and
/// reaped by a thread of its own.
///
/// Not Foundation's `Process`: its `run()` on Linux walks `/proc/self/fd` copying whole 256-byte `d_name`s
/// (swiftlang/swift-corelibs-foundation#5472, fixed after Swift 6.3.1) and crashed the test process when the
/// suites, running in parallel, had more than ~1,300 descriptors open. Here the child gets standard input from
/// `/dev/null`, standard output and error as ``Output`` says, every other descriptor closed, and every signal at
/// its default disposition, unblocked.
public final class ChildProcess: Sendable {
    /// Where the child's standard output and standard error (both) go.
    public enum Output: Sendable {
        /// `/dev/null`.
        case discarded
        /// The file at this path, written from its start (it must exist; it is not truncated).
        case file(String)
        /// A pipe read by a thread of its own, which hands each chunk read to the closure (never left to fill and
        /// block a child that writes a lot).
        case chunks(@Sendable ([UInt8]) -> Void)
    }

    /// The child's process id.
    public let pid: pid_t
    private let exit = EventLog<Int32>()
    /// One item once the pipe of ``Output/chunks(_:)`` has reached its end (at once for the other outputs).
    private let outputEnd = EventLog<Bool>()
    /// Left by the reaping thread and by the thread reading the pipe when each is done.
    private let finished = DispatchGroup()

    /// Starts `executable arguments…` with `environment` (every variable of this process when `nil`).
    /// - Throws: ``SpawnFailure`` naming the executable and the error when the child cannot be started.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: Output) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var readEnd: Int32 = -1
        var writeEnd: Int32 = -1
        switch output {
        case .discarded:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY, 0)
        case .chunks:
            var ends: [Int32] = [-1, -1]
            guard pipe2(&ends, O_CLOEXEC) == 0 else { throw SpawnFailure(executable: executable, errno: errno) }
            (readEnd, writeEnd) = (ends[0], ends[1])
            posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        }
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)

        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp ?? [] { free(pointer) }
        }
        var pid: pid_t = 0
        let status = envp.map { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        // Both ends were opened with O_CLOEXEC: only the child keeps the write end (as its descriptors 1 and 2).
        if writeEnd >= 0 { close(writeEnd) }
        guard status == 0 else {
            if readEnd >= 0 { close(readEnd) }
            throw SpawnFailure(executable: executable, errno: status)
        }
        self.pid = pid
        let child = pid
        let (exit, outputEnd, finished) = (self.exit, self.outputEnd, self.finished)
        finished.enter()
        if case .chunks(let handle) = output {
            finished.enter()
            Self.drain(readEnd, into: handle) {
                outputEnd.append(true)
                finished.leave()
            }
        } else {
            outputEnd.append(true)
        }
        Self.onThread {
            var status: Int32 = 0
            var reaped = waitpid(child, &status, 0)
            while reaped == -1, errno == EINTR { reaped = waitpid(child, &status, 0) }
            // Foundation's convention: the exit code, or the number of the signal that ended the child.
            exit.append(reaped == -1 ? -1 : status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f)
            finished.leave()
        }
    }

    deinit {
        if isRunning { kill(pid, SIGKILL) }
    }

    /// Whether the child has not been reaped yet.
    public var isRunning: Bool { exit.items.isEmpty }

    /// The exit code (or the number of the signal that ended the child) once it has exited.
    public var terminationStatus: Int32? { exit.items.first }

    /// Sends `signal` to the child, unless it has already been reaped (its pid may be another process's by then).
    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// The exit status, once the child has exited.
    /// - Throws: ``TimedOut`` when it still runs after `timeout`.
    public func exitStatus(_ what: String, timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await exit.first("exit of \(what)", timeout: timeout) { _ in true }.item
    }

    /// The exit status once the child has exited and its output (``Output/chunks(_:)``) has been read to the end.
    public func completion(_ what: String, timeout: Duration = .seconds(30)) async throws -> Int32 {
        _ = try await outputEnd.first("the end of the output of \(what)", timeout: timeout) { _ in true }
        return try await exitStatus(what, timeout: timeout)
    }

    /// Blocks the calling thread until the child has exited and its output has been read, for synchronous callers
    /// (``TestTLS``'s `openssl`, run once per test process).
    public func waitUntilExit() -> Int32 {
        finished.wait()
        return terminationStatus ?? -1
    }

    // MARK: Threads

    private static func onThread(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 1 << 18
        thread.start()
    }

    /// Reads `descriptor` until end of file on a thread of its own, handing every chunk to `handle`, then closes it.
    private static func drain(
        _ descriptor: Int32, into handle: @escaping @Sendable ([UInt8]) -> Void, atEnd: @escaping @Sendable () -> Void
    ) {
        onThread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    handle(Array(buffer[..<count]))
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(descriptor)
            atEnd()
        }
    }
}

/// Runs `executable arguments…` to its end and returns its exit status and everything it wrote (both streams).
public func runToCompletion(
    _ executable: String, _ arguments: [String], timeout: Duration = .seconds(120)
) async throws -> (status: Int32, output: String) {
    let output = Mutex<[UInt8]>([])
    let child = try ChildProcess(executable, arguments, output: .chunks { bytes in output.withLock { $0 += bytes } })
    let status = try await child.completion(URL(fileURLWithPath: executable).lastPathComponent, timeout: timeout)
    return (status, String(decoding: output.withLock { $0 }, as: UTF8.self))
}

// MARK: - SpawnFailure

/// A child process that could not be started.
public struct SpawnFailure: Error, CustomStringConvertible {
    /// The executable's path.
    public var executable: String
    /// The error number `posix_spawn` (or `pipe2`) returned.
    public var errno: Int32

    /// The executable and the system's message for the error.
    public var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
}
