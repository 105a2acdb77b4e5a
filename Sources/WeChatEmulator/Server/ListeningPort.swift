// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// A one-shot rendezvous for the bound port: `run()` resolves or fails it, `waitUntilListening()` awaits it.
final class ListeningPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case listening(Int)
        case failed(any Error)
    }

    private let state = Mutex<State>(.waiting([]))

    /// Reports the bound port to every waiter, present and future.
    func resolve(_ port: Int) {
        finish(.success(port))
    }

    /// Reports that the server will not listen (or has stopped before listening).
    func fail(_ error: any Error) {
        finish(.failure(error))
    }

    /// The bound port, once known.
    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .listening(let port):
                    return .success(port)
                case .failed(let error):
                    return .failure(error)
                }
            }
            if let immediate {
                continuation.resume(with: immediate)
            }
        }
    }

    private func finish(_ result: Result<Int, any Error>) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            switch result {
            case .success(let port): state = .listening(port)
            case .failure(let error): state = .failed(error)
            }
            return waiters
        }
        for waiter in waiters {
            waiter.resume(with: result)
        }
    }
}
