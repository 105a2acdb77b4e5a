// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl
import NIOCore
import Synchronization

// MARK: - CurlTransfer

/// One request in flight: the request, the buffers libcurl reads from and writes to, and who waits for its result.
///
/// `@unchecked Sendable`: the submitting task creates it and hands it to the driver through the driver's locked
/// inbox; from then on every mutable property is touched only on the driver thread (libcurl runs the callbacks
/// there, inside `curl_multi_perform`). The one property other threads touch, ``cancelRequested``, is atomic.
final class CurlTransfer: @unchecked Sendable {
    /// Called once, on the driver thread, with the transfer's result: resumes the task waiting in
    /// ``CurlClient/execute(_:)``, runs the callback given to ``CurlClient/submit(_:completion:)``, or ends a stream
    /// (``CurlStream/finish(_:)``).
    typealias Completion = @Sendable (Result<UpstreamResponse, CurlError>) -> Void

    /// The request as given by the caller.
    let request: UpstreamRequest
    /// Whether the response has no body to read (`HEAD`).
    let expectsNoBody: Bool
    /// Whether a request body is sent (with `Content-Length`, possibly 0).
    let sendsBody: Bool
    /// The response body limit of the client.
    let maxResponseBytes: Int
    /// The limit the body is held to: ``maxResponseBytes``, or less when a stream's head asks to buffer with a lower
    /// limit.
    var bodyLimit: Int
    /// The consumer's side of a transfer started with ``CurlClient/stream(_:consumer:)``; `nil` for a whole response.
    let stream: CurlStream?
    /// Set by the task's cancellation handler or ``CurlClient/PendingTransfer/cancel()``, from any thread; read by
    /// the driver before it adds the transfer, and by a stream's callbacks, which then deliver nothing more.
    let cancelRequested = Atomic<Bool>(false)

    // MARK: Driver thread only

    /// Who waits for the result, called exactly once by the driver.
    var completion: Completion?
    /// The easy handle while the transfer is attached to one.
    var easy: UnsafeMutableRawPointer?
    /// The request header fields as a libcurl list, freed with the transfer.
    let headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl's `CURLOPT_ERRORBUFFER`, `CURL_ERROR_SIZE` bytes.
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The request body; its reader index advances as libcurl reads.
    var upload: ByteBuffer
    /// The reader index where the request body starts, for rewinding.
    let uploadStart: Int
    /// The response body received so far.
    var responseBody = ByteBuffer()
    /// The header lines of the latest response head received, raw.
    var responseHeaderBlock = ByteBuffer()
    /// Whether the latest response head has ended (later header lines are trailers).
    var headHasEnded = false
    /// Whether the transfer was aborted because the response body passed ``bodyLimit``.
    var exceededLimit = false

    // MARK: Life cycle

    /// Validates the request and prepares what libcurl will read.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - maxResponseBytes: The client's response body limit.
    ///   - stream: The consumer's side when the response is delivered as it arrives; `nil` to collect it whole.
    /// - Throws: ``CurlError/Kind/invalidRequest`` for a bad method, header field or timeout.
    init(request: UpstreamRequest, maxResponseBytes: Int, stream: CurlStream? = nil) throws(CurlError) {
        try RequestValidation.check(request)
        let method = request.method
        self.request = request
        self.expectsNoBody = method == "HEAD"
        self.sendsBody = request.body != nil || method == "POST" || method == "PUT" || method == "PATCH"
        self.maxResponseBytes = maxResponseBytes
        self.bodyLimit = maxResponseBytes
        self.stream = stream
        self.upload = request.body ?? ByteBuffer()
        self.uploadStart = upload.readerIndex
        self.headerList = Self.makeHeaderList(request.headers, sendsBody: sendsBody)
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// The caller's header fields for `CURLOPT_HTTPHEADER`, plus the empty fields that stop libcurl adding its own
    /// `Expect`, `Accept` and `Content-Type`.
    private static func makeHeaderList(
        _ headers: [(name: String, value: String)],
        sendsBody: Bool
    ) -> UnsafeMutablePointer<curl_slist>? {
        // Each line goes to libcurl (which copies it) as it is made: no array of lines in between.
        var list: UnsafeMutablePointer<curl_slist>?
        var hasAccept = false
        var hasContentType = false
        for (name, value) in headers {
            switch name.lowercased() {
            case "content-length", "transfer-encoding", "expect":
                continue
            case "accept":
                hasAccept = true
            case "content-type":
                hasContentType = true
            default:
                break
            }
            // "Name:" would remove the field; "Name;" is libcurl's way to send it empty.
            list = curl_slist_append(list, value.isEmpty ? name + ";" : name + ": " + value)
        }
        list = curl_slist_append(list, "Expect:")
        if !hasAccept { list = curl_slist_append(list, "Accept:") }
        if sendsBody && !hasContentType { list = curl_slist_append(list, "Content-Type:") }
        return list
    }
}

// MARK: - Outcome

extension CurlTransfer {
    /// The result to hand the waiting task once libcurl reports the transfer done with `code`.
    func outcome(for code: CURLcode) -> Result<UpstreamResponse, CurlError> {
        guard code == CURLE_OK, let easy else {
            return .failure(failure(for: code))
        }
        var status = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(UpstreamResponse(status: status, headerBlock: responseHeaderBlock, body: responseBody))
    }

    /// The number of new connections this transfer opened (`CURLINFO_NUM_CONNECTS`).
    var connectionsOpened: Int {
        guard let easy else { return 0 }
        var count = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &count)
        return count
    }
}
