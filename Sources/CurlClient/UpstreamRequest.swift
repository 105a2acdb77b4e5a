// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import NIOCore

// MARK: - UpstreamRequest

/// One HTTP request for ``CurlClient/execute(_:)``.
///
/// The request is sent as given, with these exceptions: `Content-Length`, `Transfer-Encoding` and `Expect` are
/// owned by the client (the length comes from ``body``; `Expect: 100-continue` is never sent), and libcurl adds no
/// `Accept` or `Content-Type` header the caller did not send. Redirects are never followed.
public struct UpstreamRequest: Sendable {
    /// The method token, e.g. `"GET"`, `"POST"` or any other RFC 9110 token.
    public var method: String
    /// The absolute `http` or `https` URL, already rewritten.
    public var url: String
    /// Header fields in order; names are sent as given, an empty value is sent as an empty field.
    public var headers: [(name: String, value: String)]
    /// The request content, sent as is with a `Content-Length`. `nil` sends no content, except for `POST`, `PUT`
    /// and `PATCH`, which then send `Content-Length: 0`.
    public var body: ByteBuffer?
    /// The limit for the whole transfer, connection included (`CURLOPT_TIMEOUT_MS`); must be positive. For
    /// ``CurlClient/stream(_:consumer:)`` it bounds the time until the head (and a buffered body), and then each
    /// wait for the server while the consumer has not paused.
    public var timeout: Duration
    /// The limit for making the connection, TLS handshake included (`CURLOPT_CONNECTTIMEOUT_MS`); must be positive.
    public var connectTimeout: Duration
    /// The forward proxy to go through, or `nil` to connect directly (the environment's proxy variables are never
    /// read).
    public var proxy: UpstreamProxy?

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - method: The method token; `"GET"` by default.
    ///   - url: The absolute `http` or `https` URL.
    ///   - headers: Header fields in order.
    ///   - body: The request content, or `nil` for none.
    ///   - timeout: The limit for the whole transfer.
    ///   - connectTimeout: The limit for making the connection.
    ///   - proxy: The forward proxy to go through, or `nil` to connect directly.
    public init(
        method: String = "GET",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: ByteBuffer? = nil,
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5),
        proxy: UpstreamProxy? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.proxy = proxy
    }
}
