// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore

/// Breaks a client connection the two ways a flaky upstream does.
enum ConnectionBreaker {
    /// Why the responder stops: the connection was broken on purpose, there is nothing to answer.
    struct Broken: Error {}

    /// `struct linger { int l_onoff; int l_linger; }` = {1, 0}. Built by layout because the C struct's
    /// initialiser belongs to a module (NIO's C shim) this target cannot import under member import visibility.
    private static let abortiveLinger = unsafeBitCast((Int32(1), Int32(0)), to: NIOLinger.self)

    /// Closes the connection without answering (a FIN: the client sees an empty reply).
    static func drop(_ channel: any Channel) async {
        try? await channel.close(mode: .all)
    }

    /// Aborts the connection: SO_LINGER 0 then close, so the kernel sends a TCP RST and discards anything unsent.
    static func reset(_ channel: any Channel) async {
        if let socket = channel as? any SocketOptionProvider {
            try? await socket.setSoLinger(abortiveLinger).get()
        }
        try? await channel.close(mode: .all)
    }
}
