// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import NIOCore

// MARK: - UpstreamResponseConsumer

/// Receives a response from ``CurlClient/stream(_:consumer:)`` as it arrives: the head once, then the body in parts
/// (or whole, if the head asks for it), then exactly one end.
///
/// Every method runs on the client's driver thread, one at a time for a transfer: each must be short and must not
/// block (hop to your own event loop and return). A method never runs after ``didFinish(_:)``.
public protocol UpstreamResponseConsumer: Sendable {
    /// The head of the final response (never an interim 1xx one), once, when it is complete; the answer decides
    /// how the body arrives.
    ///
    /// - Parameter head: The status and header lines of the final response.
    /// - Returns: ``UpstreamBodyMode/stream`` to get the body in parts through ``didReceiveBodyPart(_:)``, or
    ///   ``UpstreamBodyMode/buffer(limit:)`` to get the whole response in ``didFinish(_:)``, as
    ///   ``CurlClient/execute(_:)`` returns it.
    func didReceiveHead(_ head: UpstreamResponseHead) -> UpstreamBodyMode

    /// The next bytes of a streamed body, in order, as libcurl received them (at most its 16 KiB receive buffer
    /// each). The buffer is the consumer's: the client keeps no reference to it.
    ///
    /// - Parameter part: The bytes.
    /// - Returns: ``UpstreamBodyDemand/more`` to keep receiving, or ``UpstreamBodyDemand/pause`` to get no further
    ///   part until ``CurlClient/PendingTransfer/resume()``.
    func didReceiveBodyPart(_ part: ByteBuffer) -> UpstreamBodyDemand

    /// The end, exactly once: the transfer succeeded (any status, 4xx and 5xx included) or failed. It may come
    /// while the consumer has paused the body (a failure, a cancellation, or a body that had already all arrived).
    ///
    /// - Parameter result: How the body ended, or the same errors as ``CurlClient/execute(_:)``.
    func didFinish(_ result: Result<UpstreamStreamEnd, CurlError>)
}

// MARK: - Choices

/// How the body of a response given to ``UpstreamResponseConsumer/didReceiveHead(_:)`` is delivered.
public enum UpstreamBodyMode: Sendable, Hashable {
    /// In parts, as they arrive, with no size limit; the consumer may pause and resume them.
    case stream
    /// Whole, in ``UpstreamStreamEnd/buffered(_:)``; a body longer than `limit` (or than
    /// ``CurlClient/Configuration/maxResponseBytes``, whichever is smaller) fails with ``CurlError/Kind/tooLarge``.
    /// Pass `.max` for the client's limit alone.
    case buffer(limit: Int)
}

/// What a consumer wants after a body part.
public enum UpstreamBodyDemand: Sendable, Hashable {
    /// Deliver the next part when it arrives.
    case more
    /// Deliver nothing more until ``CurlClient/PendingTransfer/resume()``; the client stops reading from the
    /// connection, so the server waits (TCP flow control).
    case pause
}

// MARK: - UpstreamStreamEnd

/// How a streamed transfer ended successfully.
public enum UpstreamStreamEnd: Sendable {
    /// The body was delivered in parts: `bodyBytes` in all.
    case streamed(bodyBytes: Int)
    /// The head asked for ``UpstreamBodyMode/buffer(limit:)``: the whole response, head and body.
    case buffered(UpstreamResponse)
}

// MARK: - UpstreamResponseHead

/// The status and header lines of a final response, given to ``UpstreamResponseConsumer/didReceiveHead(_:)``.
public struct UpstreamResponseHead: UpstreamHeaderBlock, Sendable {
    /// The status code.
    public var status: Int
    /// The header lines as received (`Name: value` CRLF each; no status line); ``UpstreamHeaderBlock/headers``
    /// parses them.
    public var headerBlock: ByteBuffer

    /// Creates a head, e.g. to test a consumer.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - headers: The header fields in order.
    public init(status: Int, headers: [(name: String, value: String)]) {
        self.init(status: status, headerBlock: HeaderBlock.lines(of: headers))
    }

    init(status: Int, headerBlock: ByteBuffer) {
        self.status = status
        self.headerBlock = headerBlock
    }
}
