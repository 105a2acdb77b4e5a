// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// MARK: - CurlError

/// Why a transfer through ``CurlClient`` failed.
///
/// The ``kind`` is bounded, so its ``label`` can be used as a metric label; ``description`` carries the detail a
/// person needs (libcurl's message for the ``code`` and the transfer's error buffer).
public struct CurlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bounded class of the failure.
    public var kind: Kind
    /// The libcurl `CURLcode` of the failed transfer, or 0 when the failure did not come from libcurl
    /// (``Kind/cancelled``, ``Kind/shutdown``, or a request rejected before it reached libcurl).
    public var code: Int32
    /// A message for a person: the kind, the `CURLcode` text and libcurl's detail.
    public var description: String
    /// Whether any byte of the request may have reached the server. `false` only when libcurl's own facts show
    /// that none did: the transfer failed resolving, connecting (a proxy's tunnel included) or in the TLS
    /// handshake, and never reached the point of sending (`CURLINFO_PRETRANSFER_TIME_T` 0, and without a proxy
    /// `CURLINFO_REQUEST_SIZE` 0). Such a request may be sent elsewhere without being sent twice. `true` for every
    /// other failure, including those that did not come from a transfer (cancelled, shut down, rejected request):
    /// they are no reason to send the request anywhere else.
    public var requestSent: Bool

    /// The kind as a short metric label, e.g. `"timeout"`.
    public var label: String { kind.label }

    /// Creates an error of the given kind.
    ///
    /// - Parameters:
    ///   - kind: The bounded class of the failure.
    ///   - code: The libcurl `CURLcode`, or 0 when the failure did not come from libcurl.
    ///   - message: What happened, for a person to read; the kind's label is prefixed to it.
    ///   - requestSent: Whether any byte of the request may have reached the server.
    public init(_ kind: Kind, code: Int32 = 0, message: String, requestSent: Bool = true) {
        self.kind = kind
        self.code = code
        self.description = "\(kind.label): \(message)"
        self.requestSent = requestSent
    }
}

// MARK: - Kind

extension CurlError {
    /// The bounded class of a ``CurlError``: new kinds may be added, so switch over it with a default.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case timeout
            case connect
            case resolve
            case tls
            case reset
            case emptyReply = "empty_reply"
            case tooLarge = "too_large"
            case badResponse = "bad_response"
            case invalidRequest = "invalid_request"
            case cancelled
            case shutdown
            case setup
            case other
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The transfer did not finish within its timeout (`CURLE_OPERATION_TIMEDOUT`).
        public static let timeout = Kind(.timeout)
        /// The TCP connection could not be made (`CURLE_COULDNT_CONNECT`).
        public static let connect = Kind(.connect)
        /// The host name did not resolve (`CURLE_COULDNT_RESOLVE_HOST`).
        public static let resolve = Kind(.resolve)
        /// The TLS handshake or certificate verification failed (`CURLE_SSL_*`, `CURLE_PEER_FAILED_VERIFICATION`).
        public static let tls = Kind(.tls)
        /// The connection broke while sending or receiving (`CURLE_SEND_ERROR`, `CURLE_RECV_ERROR`,
        /// `CURLE_PARTIAL_FILE`, HTTP/2 stream errors).
        public static let reset = Kind(.reset)
        /// The server closed the connection without answering (`CURLE_GOT_NOTHING`).
        public static let emptyReply = Kind(.emptyReply)
        /// The response body grew past `maxResponseBytes`.
        public static let tooLarge = Kind(.tooLarge)
        /// The server's answer was not valid HTTP (`CURLE_WEIRD_SERVER_REPLY`, bad content encoding).
        public static let badResponse = Kind(.badResponse)
        /// The request could not be sent as given: malformed URL, unsupported scheme, bad method or header.
        public static let invalidRequest = Kind(.invalidRequest)
        /// The calling task was cancelled; the transfer was removed.
        public static let cancelled = Kind(.cancelled)
        /// The client was shut down before or while the transfer ran.
        public static let shutdown = Kind(.shutdown)
        /// The client could not be set up: libcurl initialisation, the driver thread, or its configuration.
        public static let setup = Kind(.setup)
        /// Any other libcurl failure; ``CurlError/code`` tells which.
        public static let other = Kind(.other)

        /// The kind as a short snake_case label, usable as a metric label.
        public var label: String { base.rawValue }

        /// The kind's label.
        public var description: String { label }
    }
}
