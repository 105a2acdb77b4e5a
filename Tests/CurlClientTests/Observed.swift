// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

// MARK: - Observed

/// A value behind a lock that tasks can wait on until a condition holds, so tests await events instead of
/// sleeping.
final class Observed<Value: Sendable>: Sendable {
    private struct Waiter {
        let id: Int
        let condition: @Sendable (Value) -> Bool
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct Storage {
        var value: Value
        var waiters: [Waiter] = []
        var nextID = 0
    }

    private let storage: Mutex<Storage>

    init(_ value: Value) {
        storage = Mutex(Storage(value: value))
    }

    /// The current value.
    var value: Value {
        storage.withLock { $0.value }
    }

    /// Changes the value and wakes every waiter whose condition now holds.
    func update(_ change: (inout Value) -> Void) {
        let ready = storage.withLock { storage in
            change(&storage.value)
            let value = storage.value
            let ready = storage.waiters.filter { $0.condition(value) }
            storage.waiters.removeAll { $0.condition(value) }
            return ready.map(\.continuation)
        }
        ready.forEach { $0.resume() }
    }

    /// Returns once `condition` holds for the value (at once if it already does), or when the task is cancelled
    /// (as Swift Testing does past a time limit).
    func wait(until condition: @escaping @Sendable (Value) -> Bool) async {
        let id = storage.withLock { storage in
            defer { storage.nextID += 1 }
            return storage.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let waiting = storage.withLock { storage in
                    if condition(storage.value) || Task.isCancelled { return false }
                    storage.waiters.append(Waiter(id: id, condition: condition, continuation: continuation))
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let cancelled = storage.withLock { storage in
                let index = storage.waiters.firstIndex { $0.id == id }
                return index.map { storage.waiters.remove(at: $0).continuation }
            }
            cancelled?.resume()
        }
    }
}
