// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import NIOCore

// MARK: - UpstreamResponse

/// The answer to an ``UpstreamRequest``: whatever status the server sent, 4xx and 5xx included.
public struct UpstreamResponse: UpstreamHeaderBlock, Sendable {
    /// The status code of the final response.
    public var status: Int
    /// The header lines of the final response as received (`Name: value` CRLF each; no status line, no
    /// interim 1xx responses, no trailers). Kept raw on the driver thread; ``UpstreamHeaderBlock/headers`` parses
    /// them.
    public var headerBlock: ByteBuffer
    /// The response content as received (no content decoding).
    public var body: ByteBuffer

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - headers: The header fields in order.
    ///   - body: The content.
    public init(status: Int, headers: [(name: String, value: String)], body: ByteBuffer) {
        self.init(status: status, headerBlock: HeaderBlock.lines(of: headers), body: body)
    }

    init(status: Int, headerBlock: ByteBuffer, body: ByteBuffer) {
        self.status = status
        self.headerBlock = headerBlock
        self.body = body
    }
}
