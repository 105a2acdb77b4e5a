// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// A value delivered once by one task and awaited by others (cancellation-aware): the first value set is the
/// value, later ones change nothing.
public final class AsyncBox<Value: Sendable>: Sendable {
    private let log = EventLog<Value>()

    public init() {}

    /// Delivers the value; later calls change nothing.
    public func set(_ newValue: Value) {
        log.append(newValue)
    }

    /// The value, or ``TimedOut`` after `timeout`.
    public func value(timeout: Duration) async throws -> Value {
        try await log.first("a value", timeout: timeout) { _ in true }.item
    }
}

/// A bounded wait that ran out.
public struct TimedOut: Error, CustomStringConvertible {
    /// What was awaited.
    public var what: String
    /// What came instead, when the waiter knows (the lines or datagrams seen).
    public var seen: String?

    public init(what: String, seen: String? = nil) {
        self.what = what
        self.seen = seen
    }

    public var description: String { "timed out waiting for \(what)" + (seen.map { "; seen: \($0)" } ?? "") }
}

/// Runs `operation`, failing with ``TimedOut`` if it takes longer than `timeout`.
public func withTimeout<T: Sendable>(
    _ timeout: Duration, _ what: String = "an event", _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut(what: what)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Polls `condition` every 20 ms until it holds, for events that only show in the file system or a
/// counter (there is nothing to await); fails with ``TimedOut`` after `timeout`.
public func eventually(
    _ what: String, timeout: Duration = .seconds(15), _ condition: @escaping @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimedOut(what: what)
}
