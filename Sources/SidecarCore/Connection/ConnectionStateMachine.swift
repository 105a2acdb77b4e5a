// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The life of one HTTP/1.1 connection, as a pure value: events in, actions out. The channel handler that owns
/// the socket is a thin shell that reports what happened and performs what this returns; every rule is here and
/// tested by tables without sockets.
///
/// The rules, and what each bounds:
/// - One request at a time. Parts of a request pipelined behind the current one are queued, not handled, and the
///   connection stops reading once anything is queued: the next request is handled only after the answer before it
///   has been flushed. A caller that pipelines and never reads holds one answer, not many.
/// - Reads also pause while the channel is not writable (the caller reads slower than the sidecar writes).
/// - Timeouts, from one deadline: a head that started arriving must be complete within `headerTimeout` (408); a
///   request body must make progress at least every `headerTimeout` (408, so stalled uploads cannot hold a
///   concurrency slot or memory); a connection with nothing to read and nothing being written closes after
///   `idleTimeout`. Nothing times out while an answer is being written or the upstream is being waited for.
/// - Keep-alive: the connection closes after an answer whose request or answer said so (`Connection: close`,
///   HTTP/1.0 without keep-alive, an answer that did not read the body), and after the answer in progress once it
///   is asked to quiesce (graceful shutdown); an idle connection closes at once then.
///
/// Times are nanoseconds on any monotonic clock (the handler passes its event loop's `now`).
public struct ConnectionStateMachine: Sendable {
    /// The timeouts, in nanoseconds.
    public struct Limits: Sendable, Equatable {
        public var idleTimeout: Int64
        public var headerTimeout: Int64

        public init(idleTimeout: Int64, headerTimeout: Int64) {
            self.idleTimeout = idleTimeout
            self.headerTimeout = headerTimeout
        }
    }

    /// A request part, as far as the connection's life is concerned.
    public enum Part: Sendable, Equatable {
        /// A request head; `keepAlive` is what the request asks for (HTTP/1.1 without `Connection: close`, or
        /// HTTP/1.0 with `keep-alive`).
        case head(keepAlive: Bool)
        case body
        case end
    }

    /// What to do with a part that arrived.
    public enum PartAction: Sendable, Equatable {
        /// Handle it now: it belongs to the request in progress (or starts one).
        case handle
        /// Handle it (the request's end, whose answer was already flushed), then go on as for
        /// ``Action/nextRequest(read:)``.
        case handleThenNext(read: Bool)
        /// Keep it, in order, behind the parts already kept: it belongs to a request pipelined behind the current one.
        case queue
        /// Drop it: the connection is closing.
        case drop
    }

    /// What the shell must do.
    public enum Action: Sendable, Equatable {
        case none
        /// Ask the channel for more bytes (`context.read()`).
        case read
        /// Close the connection now.
        case close
        /// Answer 408 (the head or the body did not arrive in time) and close.
        case requestTimeout(Stage)
        /// The request in progress is over: replay the queued parts (through ``received(_:at:replayed:)``), then
        /// read if `read` is true.
        case nextRequest(read: Bool)
    }

    /// Which part of a request timed out.
    public enum Stage: Sendable, Equatable {
        case head
        case body
    }

    enum State: Sendable, Equatable {
        /// Between requests, since the given time.
        case idle(since: Int64)
        /// The first bytes of a head arrived at the given time.
        case readingHead(since: Int64)
        /// A request is in progress.
        case request(Request)
        case closed
    }

    struct Request: Sendable, Equatable {
        var keepAlive: Bool
        var bodyComplete = false
        /// When the last part of the request arrived (the body's progress).
        var lastPartAt: Int64
        var answer = Answer.pending
    }

    enum Answer: Sendable, Equatable {
        /// Not written yet (the call is with the upstream, or the body is still arriving).
        case pending
        /// Written, not yet flushed; `keepAlive` is whether the connection may serve another request after it.
        case writing(keepAlive: Bool)
        /// Flushed; the request's remaining body (if any) is still being read.
        case flushed(keepAlive: Bool)
    }

    public let limits: Limits
    private(set) var state: State
    /// Parts kept for requests pipelined behind the current one.
    public private(set) var queuedParts = 0
    private var writable = true
    /// A read was asked for while reads were paused.
    private var readPending = false
    private var quiescing = false

    public init(limits: Limits, now: Int64) {
        self.limits = limits
        self.state = .idle(since: now)
    }

    // MARK: Reading

    /// Bytes arrived from the caller (before any parsing): a head may be starting.
    public mutating func bytesArrived(at now: Int64) {
        if case .idle = state { state = .readingHead(since: now) }
    }

    /// A parsed request part arrived (`replayed`: it comes from the queue).
    public mutating func received(_ part: Part, at now: Int64, replayed: Bool = false) -> PartAction {
        if replayed { queuedParts -= 1 }
        if !replayed && queuedParts > 0 { return queue() }
        switch (state, part) {
        case (.closed, _):
            return .drop
        case (.idle, .head(let keepAlive)), (.readingHead, .head(let keepAlive)):
            state = .request(Request(keepAlive: keepAlive, lastPartAt: now))
            return .handle
        case (.request(var request), .body) where !request.bodyComplete:
            request.lastPartAt = now
            state = .request(request)
            return .handle
        case (.request(var request), .end) where !request.bodyComplete:
            request.bodyComplete = true
            request.lastPartAt = now
            state = .request(request)
            guard case .flushed = request.answer else { return .handle }
            guard case .nextRequest(let read) = finishRequest(at: now) else { return .handle }
            return .handleThenNext(read: read)
        case (.request, _):
            return queue()
        case (.idle, _), (.readingHead, _):
            // A body or end with no head: the decoder never does this.
            state = .closed
            return .drop
        }
    }

    private mutating func queue() -> PartAction {
        queuedParts += 1
        return .queue
    }

    /// The channel asks whether to read (NIO's outbound `read`).
    public mutating func readRequested() -> Action {
        guard mayRead else {
            readPending = true
            return .none
        }
        readPending = false
        return .read
    }

    /// The channel's writability changed.
    public mutating func writabilityChanged(_ isWritable: Bool) -> Action {
        writable = isWritable
        return resumeReading()
    }

    /// Whether the connection may read now: writable, not closed, nothing queued. Reading goes on while a request
    /// waits for its answer, so a caller that hangs up is noticed (and its upstream call cancelled) at once; what it
    /// reads beyond the request is at most one read's worth of pipelined parts, queued, after which reads stop.
    var mayRead: Bool {
        guard writable, queuedParts == 0 else { return false }
        if case .closed = state { return false }
        return true
    }

    private mutating func resumeReading() -> Action {
        guard readPending, mayRead else { return .none }
        readPending = false
        return .read
    }

    // MARK: Answering

    /// The answer to the request in progress was written (not yet flushed). `close`: the answer itself ends the
    /// connection (it did not read the request body). Returns whether the connection stays open after it (the
    /// shell adds `Connection: close` when it does not).
    public mutating func answerWritten(close: Bool = false) -> Bool {
        guard case .request(var request) = state else { return false }
        let keepAlive = request.keepAlive && !close && !quiescing
        request.answer = .writing(keepAlive: keepAlive)
        state = .request(request)
        return keepAlive
    }

    /// The answer was flushed to the socket.
    public mutating func answerFlushed(at now: Int64) -> Action {
        guard case .request(var request) = state, case .writing(let keepAlive) = request.answer else { return .none }
        guard keepAlive else {
            state = .closed
            return .close
        }
        guard request.bodyComplete else {
            request.answer = .flushed(keepAlive: keepAlive)
            state = .request(request)
            return .none
        }
        return finishRequest(at: now)
    }

    private mutating func finishRequest(at now: Int64) -> Action {
        if quiescing {
            state = .closed
            return .close
        }
        state = .idle(since: now)
        if queuedParts > 0 { return .nextRequest(read: false) }
        let read = readPending && mayRead
        if read { readPending = false }
        return .nextRequest(read: read)
    }

    // MARK: Time

    /// When ``tick(at:)`` may next have something to do, or `nil` when nothing can time out now.
    public var deadline: Int64? {
        switch state {
        case .idle(let since): return since + limits.idleTimeout
        case .readingHead(let since): return since + limits.headerTimeout
        case .request(let request):
            // The body must keep arriving, unless the answer is being written (then nothing times out).
            guard !request.bodyComplete else { return nil }
            if case .writing = request.answer { return nil }
            return request.lastPartAt + limits.headerTimeout
        case .closed: return nil
        }
    }

    /// Checks the timeouts at `now`.
    public mutating func tick(at now: Int64) -> Action {
        guard let deadline, now >= deadline else { return .none }
        switch state {
        case .idle:
            state = .closed
            return .close
        case .readingHead:
            state = .closed
            return .requestTimeout(.head)
        case .request(let request):
            state = .closed
            // An answer already went out (the sidecar answered before the body arrived): just close.
            return request.answer == .pending ? .requestTimeout(.body) : .close
        case .closed:
            return .none
        }
    }

    // MARK: Ending

    /// Graceful shutdown: close when idle, else after the answer in progress.
    public mutating func quiesce() -> Action {
        quiescing = true
        switch state {
        case .idle, .readingHead:
            state = .closed
            return .close
        case .request, .closed:
            return .none
        }
    }

    /// The connection closed.
    public mutating func closed() {
        state = .closed
    }

    /// Whether a request is in progress (read or being answered).
    public var isServingRequest: Bool {
        if case .request = state { return true }
        return false
    }
}
