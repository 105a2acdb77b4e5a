// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl

// MARK: - CurlGlobal

/// libcurl's process-wide initialisation, run exactly once.
///
/// `curl_global_init` must run before any other thread uses libcurl; a `static let` is initialised once, under
/// the runtime's lock, by whichever thread reads it first. libcurl is never globally cleaned up: the process may
/// hold clients until it exits.
enum CurlGlobal {
    /// The result of the one `curl_global_init` call.
    private static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    /// Initialises libcurl if no one has yet.
    ///
    /// - Throws: ``CurlError/Kind/setup`` when `curl_global_init` failed.
    static func initialize() throws(CurlError) {
        let code = initResult
        guard code == CURLE_OK else {
            throw CurlError(curlCode: code, kind: .setup, detail: "curl_global_init failed")
        }
    }

    /// The libcurl version string, e.g. `"libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13 nghttp2/1.52.0"`.
    static var version: String {
        String(cString: curl_version())
    }
}
