// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl

// MARK: - Mapping libcurl results

extension CurlError.Kind {
    /// The kind of failure a libcurl result code stands for.
    ///
    /// `CURLE_WRITE_ERROR` is ``other`` here: the transfer knows whether its own size check caused it and then
    /// reports ``tooLarge`` instead.
    init(_ code: CURLcode) {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout
        case CURLE_COULDNT_CONNECT:
            self = .connect
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .resolve
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            self = .tls
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM,
            CURLE_SEND_FAIL_REWIND:
            self = .reset
        case CURLE_GOT_NOTHING:
            self = .emptyReply
        case CURLE_FILESIZE_EXCEEDED:
            self = .tooLarge
        case CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING:
            self = .badResponse
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            self = .invalidRequest
        default:
            self = .other
        }
    }
}

extension CurlError {
    /// An error for a failed libcurl call or transfer.
    ///
    /// - Parameters:
    ///   - code: The libcurl result.
    ///   - kind: Overrides the kind derived from `code` (used for the size limit).
    ///   - detail: libcurl's error buffer or other context; may be empty.
    init(curlCode code: CURLcode, kind: Kind? = nil, detail: String) {
        let text = String(cString: curl_easy_strerror(code))
        let message = detail.isEmpty ? text : "\(text) (\(detail))"
        self.init(kind ?? Kind(code), code: Int32(bitPattern: code.rawValue), message: "CURLcode \(code.rawValue): \(message)")
    }
}
