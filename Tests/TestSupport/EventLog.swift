// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Everything one source produced so far (datagrams, output lines, a port), in order, with a way to await the
/// next item that matches: no fixed sleeps, every wait bounded. The one continuation-based waiter of the test
/// support; ``AsyncBox`` is built on it.
public final class EventLog<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// A copy of every item so far.
    public var items: [Element] { state.withLock { $0.items } }

    /// Records `item` and wakes the waiters.
    public func append(_ item: Element) {
        let waiters = state.withLock { state in
            state.items.append(item)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Waiting

    /// The first item at or after `start` that satisfies `predicate`, with its index.
    /// - Throws: ``TimedOut`` (naming `what` and listing the items seen) when none comes within `timeout`;
    ///   `CancellationError` when the waiting task is cancelled.
    public func first(
        from start: Int = 0, _ what: String, timeout: Duration = .seconds(30),
        where predicate: @escaping @Sendable (Element) -> Bool
    ) async throws -> (index: Int, item: Element) {
        let found = await withTaskGroup(of: (index: Int, item: Element)?.self) { group in
            group.addTask {
                var next = start
                while !Task.isCancelled {
                    let items = self.items
                    if next < items.count, let index = (next..<items.count).first(where: { predicate(items[$0]) }) {
                        return (index, items[index])
                    }
                    next = max(next, items.count)
                    await self.waitForMore(than: items.count)
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let found else {
            try Task.checkCancellation()
            throw TimedOut(what: "\(what) within \(timeout)", seen: "\(items)")
        }
        return found
    }

    /// Returns once there are more than `count` items, or the task is cancelled.
    private func waitForMore(than count: Int) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.items.count > count || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
