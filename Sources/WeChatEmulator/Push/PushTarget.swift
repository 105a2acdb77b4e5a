// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import WeChatPush

/// Where WeChat pushes an account's messages, as its console configures them: the server URL, the Token that signs
/// every push, and the EncodingAESKey of compatible and safe modes. ``description`` leaves out the token and the key.
public struct PushTarget: Sendable, CustomStringConvertible {
    /// The server URL, e.g. `http://127.0.0.1:8081/wechat/wx0123456789abcdef`.
    public var serverURL: String
    /// The account's appid, sealed inside every encrypted push and expected inside every encrypted reply.
    public var appID: String
    /// The message Token (not an access_token): signs `signature` and `msg_signature`. Never printed.
    public var token: String
    /// The EncodingAESKey; needed for compatible and safe modes and to read an encrypted reply.
    public var aesKey: EncodingAESKey?

    public init(serverURL: String, appID: String, token: String, aesKey: EncodingAESKey? = nil) {
        self.serverURL = serverURL
        self.appID = appID
        self.token = token
        self.aesKey = aesKey
    }

    /// The envelope cipher, when the account has a key.
    public var cipher: PushCipher? {
        aesKey.map { PushCipher(key: $0, appID: appID) }
    }

    public var description: String {
        "PushTarget(\(serverURL), appid \(appID), token redacted, \(aesKey == nil ? "no key" : "key redacted"))"
    }
}
