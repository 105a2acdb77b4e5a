// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import Synchronization

/// A fault's delay that ends early when the caller closes the connection, so the emulator sees a cancelled call
/// the moment the sidecar gives it up.
enum HangUpRace {
    /// Sleeps `duration` unless `channel` closes first; returns whether it closed. Throws `CancellationError` when
    /// the task is cancelled (server shutdown).
    static func sleep(_ duration: Duration, unlessClosed channel: any Channel) async throws -> Bool {
        let race = Race()
        let watcher = InputClosedWatcher(race: race)
        defer { channel.pipeline.removeHandler(watcher).whenFailure { _ in } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                race.start(continuation)
                let nanoseconds = duration.components.seconds * 1_000_000_000
                    + duration.components.attoseconds / 1_000_000_000
                let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { race.end(.success(false)) }
                channel.closeFuture.whenComplete { _ in
                    timer.cancel()
                    race.end(.success(true))
                }
                // The listener allows half-closure: a caller that hangs up shows as the input closing first.
                channel.pipeline.addHandler(watcher, position: .first).whenFailure { _ in }
            }
        } onCancel: {
            race.end(.failure(CancellationError()))
        }
    }

    /// Ends the race when the caller closes its side of the connection.
    private final class InputClosedWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = NIOAny
        let race: Race

        init(race: Race) { self.race = race }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed = event { race.end(.success(true)) }
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Resumes its continuation once, with whichever result comes first.
    fileprivate final class Race: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<Bool, any Error>?, early: Result<Bool, any Error>?)>(
            (nil, nil))

        func start(_ continuation: CheckedContinuation<Bool, any Error>) {
            let early: Result<Bool, any Error>? = state.withLock { state in
                if let early = state.early { return early }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        func end(_ result: Result<Bool, any Error>) {
            let continuation: CheckedContinuation<Bool, any Error>? = state.withLock { state in
                guard state.early == nil else { return nil }
                state.early = result
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(with: result)
        }
    }
}
