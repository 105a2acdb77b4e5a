// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOEmbedded
@testable import Sidecar
import Testing

/// ``ConnectionCap`` at its limit: which idle connection makes room for a new one.
@Suite struct ConnectionCapTests {
    static func connected() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test func atTheCapTheConnectionIdleTheLongestIsClosed() throws {
        let cap = ConnectionCap(configured: 3, descriptorLimit: 10_000)
        let (first, second, third) = (try Self.connected(), try Self.connected(), try Self.connected())
        for channel in [first, second, third] {
            #expect(cap.enter())
            cap.markIdle(channel)
        }
        // The first becomes busy, then idle again: now the second has been idle the longest.
        cap.markBusy(first)
        cap.markIdle(first)
        #expect(cap.enter())
        #expect(!second.isActive)
        #expect(first.isActive && third.isActive)
        cap.closed(second)
        // Next in line: the third, then the first.
        #expect(cap.enter())
        #expect(!third.isActive)
        #expect(first.isActive)
    }

    @Test func whenEveryConnectionIsBusyTheNewOneIsRefused() throws {
        let cap = ConnectionCap(configured: 2, descriptorLimit: 10_000)
        #expect(cap.enter())
        #expect(cap.enter())
        #expect(!cap.enter())
        #expect(cap.current == 2)
    }
}
