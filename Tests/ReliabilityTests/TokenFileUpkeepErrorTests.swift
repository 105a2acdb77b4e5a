// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The token file's upkeep (a check every 5 s) when the daemon runs out of file descriptors: the check fails
/// with EMFILE, which says nothing about the file, so it is reported as an error and never as "the token file
/// was removed or altered". The built daemon's descriptor limit is lowered to what it holds (`prlimit`), so its
/// next open fails for real.
@Suite struct TokenFileUpkeepErrorTests {
    @Test
    func runningOutOfDescriptorsIsReportedAsAnErrorNotAsAnAlteredFile() async throws {
        try await withDaemonFolder { folder in
            let config = try folder.config(token: folder.directory.path("wx/cloudbase_access_token"))
            try await withChildDaemon(["run", "--config", config], logPath: folder.directory.path("run.log")) { daemon in
                try await daemon.waitForOutput("access_token refreshed")
                let before = daemon.output.count
                let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.pid)/fd").count
                let limit = try await runToCompletion("/usr/bin/prlimit", ["--pid", "\(daemon.pid)", "--nofile=\(open):\(open)"])
                #expect(limit.status == 0, "\(limit.output)")
                // The next upkeep check (within 5 s) cannot open anything.
                try await daemon.waitForOutput("Too many open files", timeout: .seconds(12))
                let after = String(daemon.output.dropFirst(before))
                print("TokenFileUpkeepErrorTests: limit \(open) descriptors; logged:\n\(after)")
                #expect(!after.contains("removed or altered"), "\(after)")
                #expect(after.contains("error"), "\(after)")
            }
        }
    }
}
