// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the connection's channel, which the drop and reset
/// faults close.
struct EmulatorRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    var coreContext: CoreRequestContextStorage
    /// The TCP connection the request came on.
    let channel: any Channel

    /// Builds the context from what the server hands each request.
    init(source: ApplicationRequestContextSource) {
        self.coreContext = CoreRequestContextStorage(source: source)
        self.channel = source.channel
    }
}
