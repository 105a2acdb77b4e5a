// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import SidecarCore
import Foundation
import Sidecar
import Synchronization
import TestSupport
import Testing
import WeChatEmulator

#if canImport(Glibc)
import Glibc
#endif

/// The whitelist file deleted, half-written, truncated, or replaced by something that is not a file while the
/// daemon runs: the last good whitelist stays in force, the failure is logged and counted, and a good file is
/// picked up again.
@Suite struct WhitelistFileFaultTests {
    static let good = "/wxa/msg_sec_check\n/echo/*\n"

    private func withStarted(_ body: (SidecarHarness) async throws -> Void) async throws {
        var options = SidecarHarness.Options()
        options.tls = false
        options.whitelist = Self.good
        try await withSidecar(options, body)
    }

    private func whitelistPath(_ harness: SidecarHarness) -> String { harness.directory.path("whitelist.txt") }

    /// The last good whitelist answers as before: allowed paths forwarded, others refused.
    private func expectLastGoodInForce(_ harness: SidecarHarness, _ comment: Comment) async throws {
        #expect(try await harness.checkPasses(), comment)
        #expect(try await harness.send("GET", "/echo/still").status == 200, comment)
        #expect(try await harness.send("GET", "/cgi-bin/user/info").status == 403, comment)
        #expect(harness.app.whitelist.paths.entryCount == 2, comment)
    }

    @Test func deletedFileKeepsTheLastGoodWhitelistAcrossManyPollsAndRecovers() async throws {
        try await withStarted { harness in
            try FileManager.default.removeItem(atPath: whitelistPath(harness))
            try await eventually("the missing file to be counted", timeout: .seconds(5)) {
                harness.metric(#"wxsidecar_whitelist_reloads_total{result="error"}"#) == 1
            }
            #expect(harness.logs.contains("missing or unreadable"))
            // Several polls later: still in force, reported once (not once a second).
            let polls = harness.logs.count("missing or unreadable")
            for _ in 0..<3 {
                try await expectLastGoodInForce(harness, "after deletion")
                try await Task.sleep(for: .milliseconds(700))  // spans polls; nothing to await
            }
            #expect(harness.logs.count("missing or unreadable") == polls)
            try harness.directory.write("/echo/*\n", to: "whitelist.txt")
            try await eventually("the restored file to load", timeout: .seconds(5)) {
                harness.app.whitelist.paths.entryCount == 1
            }
            #expect(try await harness.send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody).status == 403)
        }
    }

    /// What a crash or a slow writer leaves behind, each invalid: the last good whitelist stays.
    static let brokenContents: [(name: String, bytes: [UInt8])] = [
        ("zero bytes (truncated, nothing written yet)", []),
        ("first half, then NUL padding (crash after the file was extended)",
         Array("/wxa/msg_sec_check\n/ec".utf8) + [UInt8](repeating: 0, count: 64)),
        ("cut inside a UTF-8 sequence in a comment", Array("# caf\u{e9}".utf8).dropLast()),
        ("a line broken by a space (a paste cut short)", Array("/wxa/msg_sec_check\n/wxa/get wxacode".utf8)),
        ("only the first half of a CRLF file", Array("/wxa/msg_sec_check\r\n/echo/*\r\n/tcb/invoke\r".utf8) + [0x00]),
        ("binary garbage", (0..<256).map { UInt8(($0 * 37 + 11) & 0xFF) }),
    ]

    @Test(arguments: brokenContents.indices)
    func brokenFileKeepsTheLastGoodWhitelist(_ index: Int) async throws {
        let (name, bytes) = Self.brokenContents[index]
        try await withStarted { harness in
            #expect(FileManager.default.createFile(atPath: whitelistPath(harness), contents: Data(bytes)))
            try await eventually("the failed reload of \(name)", timeout: .seconds(6)) {
                harness.metric(#"wxsidecar_whitelist_reloads_total{result="error"}"#) >= 1
            }
            #expect(harness.metric(#"wxsidecar_whitelist_reloads_total{result="success"}"#) == 0, "\(name)")
            #expect(harness.logs.contains("keeping the previous whitelist"), "\(name)")
            try await expectLastGoodInForce(harness, "\(name)")
            // Finishing the write loads the whole file.
            try harness.directory.write(Self.good + "/tcb/invokecloudfunction\n", to: "whitelist.txt")
            try await eventually("the completed file to load", timeout: .seconds(6)) {
                harness.app.whitelist.paths.entryCount == 3
            }
        }
    }

    @Test func slowWriterPausingMidFileIsNeverLoadedHalfWay() async throws {
        try await withStarted { harness in
            let path = whitelistPath(harness)
            // The half is a valid whitelist of its own, which would lock out /wxa/msg_sec_check if it were loaded.
            let full = Array("/echo/*\n/wxa/msg_sec_check\n/tcb/invokecloudfunction\n".utf8)
            let half = Array(full[..<20])  // "/echo/*\n/wxa/msg_sec"
            let sawHalf = Flag()
            let watching = Flag(true)
            let watcher = Task.detached {
                while watching.value {
                    if (try? harness.app.whitelist.paths.match("/wxa/msg_sec").get()) != nil { sawHalf.value = true }
                    try await Task.sleep(for: .milliseconds(5))  // sampling what requests would see
                }
            }
            defer { watching.value = false }
            let rounds = 4
            for round in 0..<rounds {
                // In place, as `echo >>` or an editor that truncates and writes would: half, a pause shorter than
                // the settle time, the rest.
                try await DedicatedThread.run {
                    let fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0o644)
                    guard fd >= 0 else { throw RawSocket.Failure(description: "open") }
                    defer { close(fd) }
                    _ = half.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    usleep(250_000)
                    let rest = Array(full[half.count...]) + Array("# round \(round)\n".utf8)
                    _ = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                }
                try await eventually("round \(round) to load", timeout: .seconds(6)) {
                    harness.metric(#"wxsidecar_whitelist_reloads_total{result="success"}"#) >= Double(round + 1)
                }
            }
            watching.value = false
            _ = try await watcher.value
            #expect(!sawHalf.value, "a half-written whitelist was loaded")
            #expect(harness.app.whitelist.paths.entryCount == 3)
            #expect(harness.metric(#"wxsidecar_whitelist_reloads_total{result="error"}"#) == 0)
            #expect(try await harness.checkPasses())
        }
    }

    @Test func fileReplacedByADirectoryKeepsTheLastGoodWhitelist() async throws {
        try await withStarted { harness in
            let path = whitelistPath(harness)
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            try await eventually("the failed reload", timeout: .seconds(6)) {
                harness.metric(#"wxsidecar_whitelist_reloads_total{result="error"}"#) >= 1
            }
            try await expectLastGoodInForce(harness, "a directory in place of the file")
            try FileManager.default.removeItem(atPath: path)
            try harness.directory.write("/echo/*\n", to: "whitelist.txt")
            try await eventually("the file to load again", timeout: .seconds(6)) {
                harness.app.whitelist.paths.entryCount == 1
            }
        }
    }
}
