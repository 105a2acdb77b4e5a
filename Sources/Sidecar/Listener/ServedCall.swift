// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore

/// A request the connection is serving that reads a body and answers later: an API call (``ProxyCall``) or an
/// admin request with a body (``AdminCall``). Every method is called on the connection's event loop.
protocol ServedCall: AnyObject {
    /// A piece of the request body.
    func receive(_ chunk: ByteBuffer)
    /// The request was read whole.
    func requestEnded()
    /// The caller went away: stop, answer nothing.
    func cancel()
}

extension ProxyCall: ServedCall {}
