// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

#if canImport(Glibc)
import Glibc
#endif

/// A local user attacking the token's directory when `token.file` lies under a directory others can write
/// (`/tmp`, a 0777 volume): pre-creating it setgid to their group, owning it, or making it a symbolic link. The
/// built daemon refuses such a directory at start (exit 78, naming `token.file`), accepts a root-owned 0777 one
/// with a warning, gives the file its own group, and at runtime never writes through a link swapped in.
/// Tests run as root; "another user" is nobody (65534).
@Suite struct TokenDirectoryAttackTests {
    static let nobody: UInt32 = 65_534

    /// `check-config` and `run` on a configuration whose token file is `name/cloudbase_access_token`, after
    /// `prepare` set up `name` in the folder.
    private func refusedAtStart(
        _ name: String, prepare: @Sendable (DaemonFolder, String) throws -> Void
    ) async throws -> [(command: String, status: Int32, output: String)] {
        try await withDaemonFolder { folder in
            let directory = folder.directory.path(name)
            try prepare(folder, directory)
            let config = try folder.config(token: directory + "/cloudbase_access_token")
            var results: [(String, Int32, String)] = []
            for command in ["check-config", "run"] {
                let (status, output) = try await ChildDaemon.run(
                    [command, "--config", config], logPath: folder.directory.path("\(command).log"))
                results.append((command, status, output))
            }
            #expect(!FileManager.default.fileExists(atPath: directory + "/cloudbase_access_token"))
            return results
        }
    }

    /// Both commands exit 78 with a configuration error naming `token.file` and saying `why`.
    private func expectRefused(_ results: [(command: String, status: Int32, output: String)], saying why: String) {
        for (command, status, output) in results {
            #expect(status == 78, "\(command): \(output)")
            #expect(output.contains("configuration error: token.file"), "\(command): \(output)")
            #expect(output.contains(why), "\(command): \(output)")
        }
    }

    /// The attacker pre-creates the directory as theirs: setgid to their group and open to all (what makes the
    /// file theirs to read), or plainly theirs.
    @Test(arguments: [UInt32(0o2777), 0o755])
    func aDirectoryPreCreatedByAnotherUserIsRefusedAtStart(_ mode: UInt32) async throws {
        let results = try await refusedAtStart("wx") { _, directory in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            chown(directory, Self.nobody, Self.nobody)
            chmod(directory, mode_t(mode))
        }
        expectRefused(results, saying: "(the token directory) is owned by uid 65534")
    }

    @Test func aSymbolicLinkAsTheTokenDirectoryIsRefusedAtStartAndNothingIsWrittenThrough() async throws {
        let results = try await refusedAtStart("wx") { folder, directory in
            let target = folder.directory.path("attacker")
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            try FileManager.default.createSymbolicLink(atPath: directory, withDestinationPath: target)
        }
        expectRefused(results, saying: "is a symbolic link")
    }

    @Test func aDirectoryAboveOwnedByAnotherUserIsRefusedAtStart() async throws {
        let results = try await refusedAtStart("theirs/wx") { folder, _ in
            let theirs = folder.directory.path("theirs")
            try FileManager.default.createDirectory(atPath: theirs + "/wx", withIntermediateDirectories: true)
            chown(theirs, Self.nobody, Self.nobody)
        }
        expectRefused(results, saying: "(a directory above the token directory) is owned by uid 65534")
    }

    @Test func aWorldWritableRootOwnedDirectoryIsAcceptedWithAWarningSayingWhatItExposes() async throws {
        try await withDaemonFolder { folder in
            let directory = folder.directory.path("emptydir")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            chmod(directory, 0o777)
            let config = try folder.config(token: directory + "/cloudbase_access_token")
            let (status, output) = try await ChildDaemon.run(
                ["check-config", "--config", config], logPath: folder.directory.path("check.log"))
            #expect(status == 0, "\(output)")
            #expect(output.contains("warning: the token directory \(directory) (mode 0777, owner root) can be written by every user"))
            #expect(output.contains("they cannot read the token"))
            #expect(output.contains("delete or replace the token file"))
        }
    }

    @Test func theTokenFileGetsTheDaemonsGroupInsideASetgidDirectoryOfAnotherGroup() async throws {
        try await withDaemonFolder { folder in
            let directory = folder.directory.path("shared")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            chown(directory, 0, Self.nobody)
            chmod(directory, 0o2775)
            let token = directory + "/cloudbase_access_token"
            let config = try folder.config(token: token)
            try await withChildDaemon(["run", "--config", config], logPath: folder.directory.path("run.log")) { daemon in
                try await daemon.waitForOutput("access_token refreshed")
                var info = Glibc.stat()
                #expect(stat(token, &info) == 0)
                #expect(info.st_gid == getegid(), "the file's group is \(info.st_gid), the directory's is \(Self.nobody)")
                #expect(info.st_mode & 0o7777 == 0o640)
                daemon.signal(SIGTERM)
                #expect(await daemon.exitStatus(within: .seconds(15)) == 0)
            }
        }
    }

    /// At runtime the token directory is swapped for a link to a directory of the attacker's choosing: the
    /// rotated token never lands there, the refusal is logged and counted, and the file catches up once the
    /// real directory is back.
    @Test func aTokenDirectorySwappedForASymbolicLinkAtRuntimeIsNotWrittenThrough() async throws {
        try await withSidecar { harness in
            let folder = harness.directory.path("wx")
            let elsewhere = harness.directory.path("elsewhere")
            try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
            try FileManager.default.moveItem(atPath: folder, toPath: folder + ".real")
            try FileManager.default.createSymbolicLink(atPath: folder, withDestinationPath: elsewhere)
            let errorsBefore = harness.metric(#"wxsidecar_token_file_writes_total{result="error"}"#)
            guard case .success(let new) = await harness.app.refresher.refresh(force: true) else {
                throw TimedOut(what: "a forced refresh")
            }
            #expect(harness.metric(#"wxsidecar_token_file_writes_total{result="error"}"#) > errorsBefore)
            #expect(harness.logs.contains("is a symbolic link"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
            // The proxy goes on with the new token meanwhile.
            #expect(try await harness.send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody).errcode == 0)
            // Upkeep retries every 5 s and still refuses the link.
            try await eventually("a second refused write", timeout: .seconds(12)) {
                harness.metric(#"wxsidecar_token_file_writes_total{result="error"}"#) >= errorsBefore + 2
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
            try FileManager.default.removeItem(atPath: folder)
            try FileManager.default.moveItem(atPath: folder + ".real", toPath: folder)
            try await eventually("the file to catch up", timeout: .seconds(12)) {
                harness.tokenFileContent == new.value
            }
        }
    }
}
