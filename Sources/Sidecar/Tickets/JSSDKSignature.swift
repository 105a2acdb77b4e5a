// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Crypto

/// The `wx.config` signature of WeChat's JS-SDK (appendix 1, "JS-SDK 使用权限签名算法"): SHA-1 of
/// `jsapi_ticket=T&noncestr=N&timestamp=S&url=U`, the keys in that ASCII order, the values raw (no URL-encoding),
/// `U` the page's URL without its `#fragment`.
public enum JSSDKSignature {
    /// What `wx.config` needs.
    public struct Config: Sendable, Equatable {
        public var appId: String
        public var timestamp: Int
        public var nonceStr: String
        public var signature: String
    }

    /// Why a URL cannot be signed.
    public enum Refusal: Error, Equatable, Sendable {
        case missingURL
        case notHTTP
        case tooLong

        public var message: String {
            switch self {
            case .missingURL: "give the page's URL as {\"url\": \"https://…\"}"
            case .notHTTP: "the url must be an http:// or https:// page URL"
            case .tooLong: "the url is longer than 4096 bytes"
            }
        }
    }

    /// The URL to sign: without its `#fragment`; refused when missing, not http(s), or too long.
    public static func signedURL(_ url: String?) -> Result<String, Refusal> {
        guard let url, !url.isEmpty else { return .failure(.missingURL) }
        guard url.utf8.count <= 4096 else { return .failure(.tooLong) }
        let page = String(url.prefix { $0 != "#" })
        let lower = page.lowercased()
        guard (lower.hasPrefix("http://") || lower.hasPrefix("https://")), page.utf8.count > 8,
            !page.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F })
        else { return .failure(.notHTTP) }
        return .success(page)
    }

    /// The lowercase hex SHA-1 signature.
    public static func signature(ticket: String, nonceStr: String, timestamp: Int, url: String) -> String {
        let string1 = "jsapi_ticket=\(ticket)&noncestr=\(nonceStr)&timestamp=\(timestamp)&url=\(url)"
        return Insecure.SHA1.hash(data: Array(string1.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// A random 16-character nonce of letters and digits.
    public static func nonce() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
