// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import NIOCore

// MARK: - UpstreamResponse

/// The answer to an ``UpstreamRequest``: whatever status the server sent, 4xx and 5xx included.
public struct UpstreamResponse: Sendable {
    /// The status code of the final response.
    public var status: Int
    /// The header fields of the final response in the order received (no interim 1xx responses, no trailers).
    public var headers: [(name: String, value: String)]
    /// The response content as received (no content decoding).
    public var body: ByteBuffer

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - headers: The header fields in order.
    ///   - body: The content.
    public init(status: Int, headers: [(name: String, value: String)], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The values of every header field with this name, compared case-insensitively, in order.
    ///
    /// - Parameter name: The field name.
    /// - Returns: The values; empty when there is no such field.
    public func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }
}
