// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
@testable import Sidecar
import TestSupport
import Testing

/// The hard exit behind `shutdown_grace`: armed when graceful shutdown begins, it logs one line and exits after
/// the grace plus the margin. The exit is recorded here instead of taken.
@Suite struct ShutdownDeadlineTests {
    @Test func armedItLogsOneLineAndExitsAfterTheGracePlusTheMargin() async throws {
        let logs = LogCapture()
        let exits = AsyncBox<Int32>()
        let deadline = ShutdownDeadline(grace: 0.2, logger: logs.logger(), exit: { exits.set($0) })
        let armed = ContinuousClock.now
        deadline.arm()
        let status = try await exits.value(timeout: .seconds(10))
        let elapsed = ContinuousClock.now - armed
        #expect(status == ShutdownDeadline.exitStatus)
        #expect(elapsed >= .seconds(0.2 + ShutdownDeadline.margin))
        #expect(elapsed < .seconds(0.2 + ShutdownDeadline.margin + 10))  // a loaded machine wakes the test late
        #expect(logs.count("shutdown did not complete within shutdown_grace (0.2 s) plus 2 s") == 1)
    }
}
