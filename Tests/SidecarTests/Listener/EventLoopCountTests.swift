// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Sidecar
import Testing

/// How many event loops `run` starts: a core is left to the libcurl thread.
@Suite struct EventLoopCountTests {
    @Test(arguments: [(1, 1), (2, 1), (3, 2), (4, 3), (16, 15), (0, 1)])
    func oneLoopPerCoreButOne(_ cores: Int, _ loops: Int) {
        #expect(EventLoopExecutor.loopCount(cores: cores) == loops)
    }
}
