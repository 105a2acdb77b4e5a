// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - libcurl callbacks

/// The C callbacks libcurl calls on the driver thread. Each gets its ``CurlTransfer`` as an unretained
/// `Unmanaged` pointer: the driver's table of active transfers keeps it alive until the easy handle is removed.
enum CurlCallbacks {
    /// `CURLOPT_WRITEFUNCTION`: appends response body bytes.
    static let write: curl_write_callback = { data, size, count, context in
        let chunk = UnsafeRawBufferPointer(start: data, count: size * count)
        return transfer(context).receiveBody(chunk)
    }

    /// `CURLOPT_HEADERFUNCTION`: one response header line at a time, status lines and the empty line included.
    static let header: curl_write_callback = { data, size, count, context in
        let line = UnsafeRawBufferPointer(start: data, count: size * count)
        return transfer(context).receiveHeaderLine(line) ? line.count : 0
    }

    /// `CURLOPT_READFUNCTION`: copies the next request body bytes into libcurl's buffer.
    static let read: curl_write_callback = { data, size, count, context in
        let destination = UnsafeMutableRawBufferPointer(start: data, count: size * count)
        return transfer(context).sendBody(into: destination)
    }

    /// `CURLOPT_SEEKFUNCTION`: rewinds the request body when libcurl resends it on a fresh connection.
    static let seek: curl_seek_callback = { context, offset, origin in
        transfer(context).seekBody(to: offset, origin: origin)
    }

    /// `CURLOPT_XFERINFOFUNCTION`, on for streams only: called on every driver turn while the transfer has a
    /// connection, paused or not; non-zero aborts the transfer (`CURLE_ABORTED_BY_CALLBACK`) when it ran out of time.
    static let progress: curl_xferinfo_callback = { context, _, _, _, _ in
        transfer(context).stream?.hasTimedOut() == true ? 1 : 0
    }

    private static func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    }
}

// MARK: - Response

extension CurlTransfer {
    /// Appends a piece of the response body, or refuses it (aborting the transfer) past the size limit; a streamed
    /// body goes to its consumer instead.
    ///
    /// - Returns: The bytes taken; fewer than offered makes libcurl fail the transfer, `CURL_WRITEFUNC_PAUSE`
    ///   pauses it.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        if let stream, stream.isStreaming {
            return stream.deliver(chunk, cancelled: cancelRequested.load(ordering: .relaxed))
        }
        guard chunk.count <= bodyLimit - responseBody.readableBytes else {
            exceededLimit = true
            return 0
        }
        responseBody.writeBytes(chunk)
        return chunk.count
    }

    /// Records one header line of the response, as it is: parsing it into fields is left to whoever reads
    /// ``UpstreamResponse/headers``, off the driver thread.
    ///
    /// A status line starts a new head (dropping an interim 1xx head); the empty line ends it; lines after the end
    /// are trailers and are dropped. A stream's consumer gets the final head when it ends.
    ///
    /// - Returns: `false` to abort the transfer: the declared length passes the size limit, or a stream was
    ///   cancelled.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) -> Bool {
        if HeaderBlock.isStatusLine(line) {
            // Room for a usual head at once, rather than a reallocation every time the lines double it.
            responseHeaderBlock.clear(minimumCapacity: Self.headBlockCapacity)
            headHasEnded = false
            stream?.status = HeaderBlock.status(ofStatusLine: line)
            return true
        }
        if line.first == UInt8(ascii: "\r") || line.first == UInt8(ascii: "\n") {
            headHasEnded = true
            if let stream { return deliverHead(to: stream) }
            return acceptDeclaredLength()
        }
        if !headHasEnded { responseHeaderBlock.writeBytes(line) }
        return true
    }

    /// The header block's first allocation: WeChat's heads are a few hundred bytes.
    static let headBlockCapacity = 1024

    /// Gives a stream's consumer the final head, once, and applies its choice of body mode.
    ///
    /// - Returns: `false` to abort the transfer: it was cancelled, or the declared length passes the buffer limit.
    private func deliverHead(to stream: CurlStream) -> Bool {
        guard stream.mode == nil, stream.status >= 200 else { return true }  // an interim head, or trailers
        guard !cancelRequested.load(ordering: .relaxed), let consumer = stream.consumer else { return false }
        let mode = consumer.didReceiveHead(
            UpstreamResponseHead(status: stream.status, headerBlock: responseHeaderBlock))
        stream.mode = mode
        stream.lastActivity = .now
        guard case .buffer(let limit) = mode else { return true }
        bodyLimit = max(0, min(limit, maxResponseBytes))
        return acceptDeclaredLength()
    }

    /// Checks the declared `Content-Length` of a final response against the limit and reserves room for it.
    private func acceptDeclaredLength() -> Bool {
        guard let easy, !expectsNoBody else { return true }
        var status = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        guard status >= 200, status != 204, status != 304 else { return true }
        var length: curl_off_t = -1
        _ = ccurl_easy_getinfo_off_t(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        guard length > 0 else { return true }
        guard length <= bodyLimit else {
            exceededLimit = true
            return false
        }
        responseBody.reserveCapacity(minimumWritableBytes: Int(length))
        return true
    }
}

// MARK: - Request body

extension CurlTransfer {
    /// Copies the next request body bytes into `destination`.
    ///
    /// - Returns: The bytes copied; 0 once the body is sent.
    func sendBody(into destination: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(destination.count, upload.readableBytes)
        guard count > 0 else { return 0 }
        upload.withUnsafeReadableBytes { source in
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[..<count]))
        }
        upload.moveReaderIndex(forwardBy: count)
        return count
    }

    /// Moves the request body back to `offset` bytes from its start (libcurl only ever seeks from the start).
    func seekBody(to offset: curl_off_t, origin: Int32) -> Int32 {
        let length = upload.writerIndex - uploadStart
        guard origin == SEEK_SET, offset >= 0, offset <= length else { return CURL_SEEKFUNC_CANTSEEK }
        upload.moveReaderIndex(to: uploadStart + Int(offset))
        return CURL_SEEKFUNC_OK
    }
}
