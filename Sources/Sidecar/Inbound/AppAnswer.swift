// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What came of handing a push to the app (``PushForwarder``).
enum AppAnswer: Sendable, Equatable {
    /// 2xx with an empty body or `success`: nothing to say to the user.
    case noReply
    /// 2xx with a body: the app's passive reply, to check and pass on.
    case reply([UInt8])
    /// The app could not be reached (connection refused, no such host): the push was not handed over, and a
    /// retry from WeChat tries again. The label says why.
    case unreachable(String)
    /// The app got the push but did not answer usefully (4xx/5xx, timed out, hung up). The label says why.
    case failed(String)

    /// `wxsidecar_pushes_forwarded_total{result}`: `reply`, `no_reply`, `unreachable`, `status_5xx`, `timeout`, …
    var label: String {
        switch self {
        case .noReply: "no_reply"
        case .reply: "reply"
        case .unreachable: "unreachable"
        case .failed(let why): why
        }
    }

    /// True when the app has the push (whatever it answered).
    var handedOver: Bool {
        if case .unreachable = self { return false }
        return true
    }
}
