// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import SidecarCore
import WeChatAPISecurity

/// A secured API call on the wire: the app's plain JSON request sealed and signed for WeChat, and WeChat's signed,
/// encrypted answer verified and opened for the app (``ApiCaller``). The access_token stays in the URL, out of the
/// plaintext; `from_appid` never leaves the sidecar.
enum ApiCallSealing {
    /// Replaces `request`'s body with the sealed envelope and adds the `Wechatmp-*` headers.
    static func seal(
        _ request: inout UpstreamRequest, call: ProxyForwarder.Call, security: ApiCaller, urlPath: String,
        now: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> Result<Void, ApiSecurityFailure> {
        let body = request.body.map { Array($0.readableBytesView) } ?? []
        do {
            let sealed = try security.seal(
                urlPath: urlPath, body: body, parameters: parameters(of: call.target.query), timestamp: now)
            request.body = ByteBuffer(bytes: sealed.body)
            request.headers = request.headers.filter {
                let name = $0.name.lowercased()
                return name != "content-type" && !name.hasPrefix("wechatmp-")
            } + [("Content-Type", "application/json")] + sealed.headers
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// Replaces `response`'s body with the verified plaintext. An unsigned answer that is a WeChat error
    /// (`errcode` ≠ 0: the platform refusing the call, 40234 and the like, is not signed) is passed on as it came;
    /// anything else unsigned, or signed wrongly, fails.
    static func open(_ response: inout UpstreamResponse, security: ApiCaller, urlPath: String) -> Result<Void, ApiSecurityFailure> {
        let headers = response.headers
        let body = Array(response.body.readableBytesView)
        let signed = headers.contains { $0.name.lowercased() == "wechatmp-signature" }
        if !signed, let errcode = errcode(of: body), errcode != 0 { return .success(()) }
        do {
            let plaintext = try security.open(urlPath: urlPath, headers: headers, body: body)
            let kept = headers.filter {
                let name = $0.name.lowercased()
                return !name.hasPrefix("wechatmp-") && name != "content-type" && name != "content-length"
            }
            response = UpstreamResponse(
                status: response.status, headers: kept + [("Content-Type", "application/json; charset=utf-8")],
                body: ByteBuffer(bytes: plaintext))
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// The URL's parameters as the plaintext carries them: percent-decoded, without the access_token (either
    /// spelling) or `from_appid`.
    static func parameters(of query: Substring?) -> [(name: String, value: String)] {
        guard let query else { return [] }
        return query.split(separator: "&").compactMap { parameter in
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            guard !name.isEmpty, !QueryRewriter.credentialParameterNames.contains(name),
                name != QueryRewriter.accountParameterName
            else { return nil }
            let value = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            return (name, value.removingPercentEncoding ?? value)
        }
    }

    private static func errcode(of body: [UInt8]) -> Int? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return nil }
        return (object["errcode"] as? NSNumber)?.intValue
    }
}
