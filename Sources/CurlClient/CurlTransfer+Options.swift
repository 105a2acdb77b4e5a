// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl
import NIOCore

// MARK: - Easy handle options

extension CurlTransfer {
    /// Sets this transfer's options on an easy handle and remembers the handle; `timeout` is the request's, less
    /// the time it waited in the driver's queue.
    ///
    /// A `fresh` handle first gets the options that are the same for every transfer (behaviour, connections, TLS,
    /// callbacks); a recycled one keeps them, since handles are not reset between transfers (`curl_easy_reset` and
    /// setting ~25 options again cost more than the transfer's own work). Every option a transfer may change is
    /// set on every transfer, so nothing carries over from the one before.
    ///
    /// - Throws: ``CurlError/Kind/invalidRequest`` when libcurl refuses an option (a URL it cannot parse is only
    ///   found when the transfer runs).
    func attach(
        to easy: UnsafeMutableRawPointer, fresh: Bool, configuration: CurlClient.Configuration, timeout: Duration,
        clock: TurnClock
    ) throws(CurlError) {
        self.easy = easy
        let context = Unmanaged.passUnretained(self).toOpaque()
        var options = EasyOptions(easy: easy)
        if fresh { Self.setSharedOptions(&options, configuration: configuration) }

        setURL(&options)
        setProtocolAndClock(&options, timeout: timeout, clock: clock)
        options.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        setProxy(&options)
        options.set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        setMethod(&options)
        options.set(CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
        options.set(CURLOPT_WRITEDATA, context)
        options.set(CURLOPT_HEADERDATA, context)
        options.set(CURLOPT_READDATA, context)
        options.set(CURLOPT_SEEKDATA, context)
        options.set(CURLOPT_XFERINFODATA, context)

        if let failure = options.failure {
            throw CurlError(curlCode: failure.code, kind: .invalidRequest, detail: "setting option \(failure.option)")
        }
    }

    /// The options every transfer shares, set once per easy handle.
    private static func setSharedOptions(_ options: inout EasyOptions, configuration: CurlClient.Configuration) {
        // Behaviour
        options.set(CURLOPT_NOSIGNAL, 1)
        options.set(CURLOPT_FOLLOWLOCATION, 0)
        options.set(CURLOPT_PROTOCOLS_STR, "http,https")
        options.set(CURLOPT_PATH_AS_IS, 1)  // send the path exactly as given: never squash dot segments
        options.set(CURLOPT_NOPROXY, "")  // ignore no_proxy from the environment (the proxy is each transfer's)
        options.set(CURLOPT_VERBOSE, configuration.verbose ? 1 : 0)

        // Connections (the HTTP version is the transfer's)
        options.set(CURLOPT_TCP_NODELAY, 1)
        options.set(CURLOPT_TCP_KEEPALIVE, 1)
        options.set(CURLOPT_TCP_KEEPIDLE, 60)
        options.set(CURLOPT_TCP_KEEPINTVL, 15)
        options.set(CURLOPT_BUFFERSIZE, receiveBufferSize)
        if let caFile = configuration.caFile {
            options.set(CURLOPT_CAINFO, caFile)
            options.set(CURLOPT_CAPATH, configuration.systemCertificateDirectory)
            options.set(CURLOPT_PROXY_CAINFO, caFile)  // an https:// proxy is trusted like the servers
            options.set(CURLOPT_PROXY_CAPATH, configuration.systemCertificateDirectory)
        }

        // Callbacks; their data pointers are each transfer's.
        options.set(CURLOPT_WRITEFUNCTION, CurlCallbacks.write)
        options.set(CURLOPT_HEADERFUNCTION, CurlCallbacks.header)
        options.set(CURLOPT_READFUNCTION, CurlCallbacks.read)
        options.set(CURLOPT_SEEKFUNCTION, CurlCallbacks.seek)
        options.set(CURLOPT_XFERINFOFUNCTION, CurlCallbacks.progress)
    }

    /// The options in which a whole response and a stream differ: the HTTP version, waiting for a multiplexed
    /// connection, and the clock.
    ///
    /// A whole response uses HTTP/2 over TLS when ALPN offers it, else HTTP/1.1 keep-alive, and libcurl's
    /// `CURLOPT_TIMEOUT_MS`. A stream speaks HTTP/1.1: over HTTP/2 libcurl keeps reading a connection for its other
    /// streams and holds a paused stream's data up to the window it announced (32 MiB in libcurl 7.88), where over
    /// HTTP/1.1 it stops reading the connection and holds at most one receive buffer. Its own clock, run by the
    /// progress callback, replaces `CURLOPT_TIMEOUT_MS`, which would count the time the consumer has paused.
    private func setProtocolAndClock(_ options: inout EasyOptions, timeout: Duration, clock: TurnClock) {
        if let stream {
            stream.start(timeout: timeout, idleLimit: request.timeout, clock: clock)
            options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
            options.set(CURLOPT_PIPEWAIT, 0)
            options.set(CURLOPT_TIMEOUT_MS, 0)
            options.set(CURLOPT_NOPROGRESS, 0)
        } else {
            options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
            // Over TLS a new transfer waits for a connection still in its handshake, to multiplex on it rather than
            // open another. Over plain HTTP there is no HTTP/2 to wait for, and waiting would hold every transfer
            // until the first response arrives.
            options.set(CURLOPT_PIPEWAIT, isTLS ? 1 : 0)
            options.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))  // what is left after any wait in the queue
            options.set(CURLOPT_NOPROGRESS, 1)
        }
    }

    /// The request's proxy, or none: `CURLOPT_PROXY ""` also keeps libcurl from reading `http_proxy` and
    /// `https_proxy` from the environment. Through an HTTP proxy every request is tunnelled, so the proxy never
    /// sees a request line (which carries the access_token in its query).
    private func setProxy(_ options: inout EasyOptions) {
        options.set(CURLOPT_PROXY, request.proxy?.url ?? "")
        options.set(CURLOPT_HTTPPROXYTUNNEL, request.proxy?.isHTTP == true ? 1 : 0)
        if let credentials = request.proxy?.credentials {
            options.set(CURLOPT_PROXYUSERPWD, credentials)
        } else {
            options.set(CURLOPT_PROXYUSERPWD, nil as UnsafeMutableRawPointer?)
        }
    }

    /// The URL: its origin and, as `CURLOPT_REQUEST_TARGET`, its path and query where ``UpstreamURLSplit`` can
    /// cut it and the server receives libcurl's request line; else the whole URL (and no target, which the
    /// handle's previous transfer may have set).
    private func setURL(_ options: inout EasyOptions) {
        if request.proxy?.passesRequestLine ?? true, let split = UpstreamURLSplit(request.url) {
            options.set(CURLOPT_URL, split.origin)
            options.set(CURLOPT_REQUEST_TARGET, split.target)
        } else {
            options.set(CURLOPT_URL, request.url)
            options.set(CURLOPT_REQUEST_TARGET, nil as UnsafeMutableRawPointer?)
        }
    }

    /// Whether the URL is `https`.
    private var isTLS: Bool {
        request.url.utf8.count >= 8 && request.url.prefix(8).lowercased() == "https://"
    }

    /// Forgets the easy handle once the driver has removed it.
    func detach() {
        easy = nil
    }

    /// The method and the request body; sets (or clears) every option involved, since the handle may carry the
    /// previous transfer's.
    private func setMethod(_ options: inout EasyOptions) {
        let method = request.method
        options.set(CURLOPT_CUSTOMREQUEST, nil as UnsafeMutableRawPointer?)
        if expectsNoBody {
            options.set(CURLOPT_NOBODY, 1)
            if method != "HEAD" { options.set(CURLOPT_CUSTOMREQUEST, method) }
        } else if sendsBody {
            options.set(CURLOPT_NOBODY, 0)
            options.set(CURLOPT_POST, 1)
            options.setLarge(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(upload.readableBytes))
            if upload.readableBytes > 0 && upload.readableBytes <= Self.inlineBodyLimit {
                // A small body is handed to libcurl (which copies it) and leaves in the same write as the request
                // head: one TLS record and one system call instead of two.
                upload.withUnsafeReadableBytes { bytes in
                    options.set(CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
            } else {
                // No fields: libcurl reads the content from the read callback, the length known.
                options.set(CURLOPT_POSTFIELDS, nil as UnsafeMutableRawPointer?)
            }
            // The method string is replaced.
            if method != "POST" { options.set(CURLOPT_CUSTOMREQUEST, method) }
        } else {
            options.set(CURLOPT_NOBODY, 0)
            options.set(CURLOPT_HTTPGET, 1)
            if method != "GET" { options.set(CURLOPT_CUSTOMREQUEST, method) }
        }
    }

    /// Request bodies up to this size go out with the request head (libcurl's own limit for that is 64 KiB).
    static let inlineBodyLimit = 60 * 1024

    /// libcurl's receive buffer (`CURLOPT_BUFFERSIZE`, its default): the most one read from a connection brings,
    /// so the most a paused HTTP/1.1 stream holds.
    static let receiveBufferSize = 16 * 1024

    /// A positive duration in whole milliseconds, rounded up so a short timeout never becomes 0 (no limit).
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return max(1, Int(clamping: millis))
    }
}

// MARK: - EasyOptions

/// Sets easy handle options through the shim's typed forwards, keeping the first failure.
private struct EasyOptions {
    let easy: UnsafeMutableRawPointer
    private(set) var failure: (option: UInt32, code: CURLcode)?

    init(easy: UnsafeMutableRawPointer) {
        self.easy = easy
    }

    mutating func set(_ option: CURLoption, _ value: Int) {
        record(option, ccurl_easy_setopt_long(easy, option, value))
    }

    mutating func setLarge(_ option: CURLoption, _ value: curl_off_t) {
        record(option, ccurl_easy_setopt_off_t(easy, option, value))
    }

    /// A string option; libcurl copies it.
    mutating func set(_ option: CURLoption, _ value: String) {
        record(option, value.withCString { ccurl_easy_setopt_pointer(easy, option, UnsafeMutableRawPointer(mutating: $0)) })
    }

    mutating func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) {
        record(option, ccurl_easy_setopt_pointer(easy, option, value))
    }

    mutating func set(_ option: CURLoption, _ value: curl_write_callback) {
        record(option, ccurl_easy_setopt_data_callback(easy, option, value))
    }

    mutating func set(_ option: CURLoption, _ value: curl_seek_callback) {
        record(option, ccurl_easy_setopt_seek_callback(easy, option, value))
    }

    mutating func set(_ option: CURLoption, _ value: curl_xferinfo_callback) {
        record(option, ccurl_easy_setopt_xferinfo_callback(easy, option, value))
    }

    private mutating func record(_ option: CURLoption, _ code: CURLcode) {
        if code != CURLE_OK, failure == nil {
            failure = (option.rawValue, code)
        }
    }
}
