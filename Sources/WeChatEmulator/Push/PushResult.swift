// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The server's answer to one push.
public struct PushResult: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The answer body as received.
    public var body: [UInt8]
    /// The answer read as WeChat reads it, or why it cannot be (an encrypted reply whose `MsgSignature` does not
    /// verify is ``PushClientError/badReplySignature``).
    public var reply: Result<PushAnswer, PushClientError>

    public init(status: Int, body: [UInt8], reply: Result<PushAnswer, PushClientError>) {
        self.status = status
        self.body = body
        self.reply = reply
    }

    /// A 200 with a reply that reads: what WeChat takes as an answer.
    public var isAccepted: Bool {
        guard status == 200, case .success = reply else { return false }
        return true
    }
}

/// The server's answer to a URL verification.
public struct URLVerification: Sendable {
    /// The `echostr` sent.
    public var echostr: String
    /// The HTTP status.
    public var status: Int
    /// The answer body as received.
    public var body: [UInt8]

    public init(echostr: String, status: Int, body: [UInt8]) {
        self.echostr = echostr
        self.status = status
        self.body = body
    }

    /// A 200 whose body is exactly the `echostr`: WeChat then accepts the server URL.
    public var succeeded: Bool {
        status == 200 && body.elementsEqual(echostr.utf8)
    }
}
