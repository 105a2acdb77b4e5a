// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tests' process launcher (``ChildProcess``), which starts every daemon and tool the tests run: what the
/// child inherits, how its end is reported, and that it starts while the test process holds thousands of
/// descriptors (Foundation's `Process.run()` crashed there, swift-corelibs-foundation#5472).
@Suite("the tests' process launcher")
struct ChildProcessTests {
    @Test("with 2,000 descriptors open here, the child starts and holds only 0, 1 and 2")
    func theChildHoldsOnlyItsStandardDescriptors() async throws {
        var held: [Int32] = []
        defer { for descriptor in held { close(descriptor) } }
        for _ in 0..<2_000 {
            let descriptor = open("/dev/null", O_RDONLY)  // without O_CLOEXEC: a child would inherit it
            try #require(descriptor >= 0)
            held.append(descriptor)
        }
        let result = try await runToCompletion("/bin/sh", ["-c", "ls /proc/$$/fd"])
        #expect(result.status == 0)
        let descriptors = Set(result.output.split(separator: "\n").map(String.init))
        #expect(descriptors.subtracting(["0", "1", "2"]).count == 0)
        #expect(descriptors.isSuperset(of: ["0", "1", "2"]))
    }

    @Test(
        "exit codes and signals as Foundation reports them",
        arguments: [("exit 0", Int32(0)), ("exit 3", 3), ("kill -TERM $$", SIGTERM), ("kill -KILL $$", SIGKILL)])
    func theEndIsReported(script: String, expected: Int32) async throws {
        let child = try ChildProcess("/bin/sh", ["-c", script], output: .discarded)
        #expect(try await child.exitStatus("sh") == expected)
        #expect(!child.isRunning)
        #expect(child.terminationStatus == expected)
    }

    @Test("both streams reach the output whole, and the output ends before the completion is reported")
    func bothStreamsArriveWhole() async throws {
        let result = try await runToCompletion("/bin/sh", ["-c", "head -c 300000 /dev/zero | tr '\\0' a; echo; echo err >&2"])
        #expect(result.output.count == 300_000 + 1 + 4)
        #expect(result.output.hasSuffix("\nerr\n"))
    }

    @Test("signals start at their defaults in the child, whatever this process ignores")
    func signalsStartAtTheirDefaults() async throws {
        // Left ignored: every socket here is written with MSG_NOSIGNAL anyway, and restoring the default while
        // another suite writes to a closed pipe could end the test process.
        signal(SIGPIPE, SIG_IGN)
        let child = try ChildProcess("/bin/sh", ["-c", "kill -PIPE $$; exit 0"], output: .discarded)
        #expect(try await child.exitStatus("sh") == SIGPIPE)
    }

    @Test("an executable that does not exist is an error naming it")
    func aMissingExecutableIsAnError() throws {
        let error = #expect(throws: SpawnFailure.self) {
            _ = try ChildProcess("/nonexistent/tool", [], output: .discarded)
        }
        #expect(error?.description == "cannot start /nonexistent/tool: No such file or directory")
    }

    @Test("a file output is written from its start; the environment is exactly the one given")
    func fileOutputAndEnvironment() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-child")
        defer { directory.remove() }
        let log = directory.path("out.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let child = try ChildProcess("/usr/bin/env", [], environment: ["ONLY": "this"], output: .file(log))
        #expect(try await child.exitStatus("env") == 0)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "ONLY=this\n")
    }
}
