// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import NIOCore
import WeChatAPISecurity

/// A call under API security, past the token check: the request opened (or refused as WeChat refuses it), the
/// modelled API run on the plaintext, its JSON answer sealed and signed.
enum SecuredCall {
    /// The answer to `exchange` when its account has API security and the call is (or must be) signed; `nil`
    /// when the call is an ordinary one.
    static func respond(to exchange: Exchange, api: (Exchange) -> Reply) -> Reply? {
        guard let appid = exchange.appid,
            let security = exchange.configuration.apiSecurity.first(where: { $0.appid == appid })
        else { return nil }
        let request = exchange.request
        let signed = request.headers.contains { $0.name.lowercased() == "wechatmp-signature" }
        guard signed || security.requiredPaths.contains(request.path) else { return nil }
        let scheme = exchange.configuration.tls == nil ? "http" : "https"
        let urlPath = "\(scheme)://\(request.authority ?? "api.weixin.qq.com")\(request.path)"
        // Wall time, as WeChat's: the emulator's own clock may be moved by a test for token lifetimes.
        let now = Int64(Date().timeIntervalSince1970)
        let plaintext: [UInt8]
        do throws(ApiPlatform.Refusal) {
            plaintext = try security.platform.openRequest(urlPath: urlPath, headers: request.headers, body: request.bodyBytes, now: now)
        } catch {
            exchange.knobs.withState { state, _ in state.stats.apiSecurityRefusals += 1 }
            return Reply.verbatimError(code: error.errcode, message: error.errmsg)
        }
        var opened = exchange
        opened.request.body = ByteBuffer(bytes: plaintext)
        var reply = api(opened)
        let (headers, body) = security.platform.sealAnswer(urlPath: urlPath, answer: Array(reply.body.readableBytesView), now: now)
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { reply.headers[field] = value }
        }
        reply.body = ByteBuffer(bytes: body)
        exchange.knobs.withState { state, _ in state.stats.apiSecurityCalls += 1 }
        return reply
    }
}
