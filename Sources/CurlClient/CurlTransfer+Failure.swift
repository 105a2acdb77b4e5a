// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl
import Synchronization

// MARK: - Failed transfers

extension CurlTransfer {
    /// The error for a transfer libcurl ended with `code`: the size limit, a stream's own abort, or libcurl's
    /// code, each with whether the request may have left (``CurlError/requestSent``), read from libcurl's facts.
    func failure(for code: CURLcode) -> CurlError {
        let facts = easy.map { TransferFacts(easy: $0, throughProxy: request.proxy != nil) }
        if exceededLimit {
            let name = bodyLimit < maxResponseBytes ? "its buffer limit" : "maxResponseBytes"
            let detail = "the response body passed \(name) (\(bodyLimit))"
            return CurlError(curlCode: code, kind: .tooLarge, detail: detail)
        }
        var error: CurlError
        if let aborted = stream?.abortError(cancelled: cancelRequested.load(ordering: .acquiring)) {
            error = aborted
        } else if facts?.tunnelRefused == true {
            let status = facts?.connectStatus ?? 0
            error = CurlError(curlCode: code, kind: .connect, detail: "the proxy answered CONNECT with \(status)")
        } else {
            error = CurlError(curlCode: code, detail: String(cString: errorBuffer))
        }
        if error.kind != .cancelled, let facts {
            error.requestSent = !facts.failedBeforeSending(CURLcode(UInt32(bitPattern: error.code)))
        }
        return error
    }
}

// MARK: - TransferFacts

/// What libcurl recorded about a transfer that failed, read on the driver thread before its handle is reused:
/// enough to tell a failure before any byte of the request was sent from one after.
///
/// Checked on this machine's libcurl (7.88): a refused or unresolvable host, a connect or TLS handshake timeout,
/// a TLS failure and a proxy that refuses the tunnel all end with the pretransfer time 0; every failure after the
/// request left (a reset, an empty reply, a timeout waiting for the answer) has it above 0. The request size is 0
/// before sending too, except through a proxy, where it counts the CONNECT request.
struct TransferFacts {
    /// `CURLINFO_PRETRANSFER_TIME_T`: microseconds from the start until the request was about to be sent; 0 when
    /// the transfer never got there.
    var pretransferMicroseconds: Int64
    /// `CURLINFO_REQUEST_SIZE`: bytes of requests sent, a proxy's CONNECT request included.
    var requestBytes: Int
    /// `CURLINFO_HTTP_CONNECTCODE`: the proxy's answer to CONNECT; 0 when there was none.
    var connectStatus: Int
    /// Whether the transfer went through a proxy.
    var throughProxy: Bool

    init(pretransferMicroseconds: Int64, requestBytes: Int, connectStatus: Int, throughProxy: Bool) {
        self.pretransferMicroseconds = pretransferMicroseconds
        self.requestBytes = requestBytes
        self.connectStatus = connectStatus
        self.throughProxy = throughProxy
    }

    /// Reads the facts from an easy handle.
    init(easy: UnsafeMutableRawPointer, throughProxy: Bool) {
        var pretransfer: curl_off_t = 0
        var requestBytes = 0
        var connectStatus = 0
        _ = ccurl_easy_getinfo_off_t(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &requestBytes)
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_HTTP_CONNECTCODE, &connectStatus)
        self.init(
            pretransferMicroseconds: Int64(pretransfer), requestBytes: requestBytes, connectStatus: connectStatus,
            throughProxy: throughProxy)
    }

    /// Whether the proxy refused the tunnel (answered CONNECT with anything but 2xx).
    var tunnelRefused: Bool {
        connectStatus != 0 && !(200..<300).contains(connectStatus)
    }

    /// Whether a transfer that failed with `code` failed before any byte of the request was sent: a failure of
    /// resolving, connecting, the proxy or the TLS handshake (or a timeout) before the transfer reached the
    /// point of sending.
    func failedBeforeSending(_ code: CURLcode) -> Bool {
        guard pretransferMicroseconds == 0, requestBytes == 0 || throughProxy else { return false }
        switch CurlError.Kind(code) {
        case .resolve, .connect, .tls, .timeout:
            return true
        default:
            return code == CURLE_PROXY || (code == CURLE_RECV_ERROR && tunnelRefused)
        }
    }
}
