// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// The token folder made unwritable or removed while the daemon runs. Tests run as root, for whom `chmod`
/// changes nothing: ``UnwritableDirectory`` uses a read-only bind mount, or replaces the folder with a file.
/// The proxy keeps working throughout; the failure is logged and counted; the file comes back once the
/// folder is usable again.
@Suite struct TokenDirectoryFaultTests {
    /// A new token the file must follow: a forced stable refresh rotates at once.
    private func rotate(_ harness: SidecarHarness) async throws -> AccessToken {
        let before = try #require(harness.app.tokens.validToken())
        guard case .success(let token) = await harness.app.refresher.refresh(force: true) else {
            throw TimedOut(what: "a forced refresh")
        }
        #expect(token.value != before.value)
        return token
    }

    @Test func readOnlyTokenFolderIsLoggedAndCountedAndRecoversWhenWritable() async throws {
        try await withSidecar { harness in
            let old = try #require(harness.app.tokens.validToken())
            let folder = harness.directory.path("wx")
            let unwritable = try UnwritableDirectory(folder)
            defer { unwritable.restore() }
            print("ReliabilityTests: token folder made unwritable by \(unwritable.method.rawValue)")
            #expect(unwritable.refusesWrites)

            let new = try await rotate(harness)
            #expect(harness.metric(#"wxsidecar_token_file_writes_total{result="error"}"#) >= 1)
            #expect(harness.logs.contains("cannot write the token file"))
            // The proxy uses the new token; the file still holds the old one (valid through the overlap), or is
            // unreachable when the folder was replaced.
            #expect(try await harness.checkPasses())
            #expect(try await harness.readiness() == 200)
            if unwritable.method == .readOnlyBindMount { #expect(harness.tokenFileContent == old.value) }
            // Retried every few seconds, each failure counted.
            try await eventually("a second failed write", timeout: .seconds(12)) {
                harness.metric(#"wxsidecar_token_file_writes_total{result="error"}"#) >= 2
            }

            unwritable.restore()
            try await eventually("the file to catch up once writable", timeout: .seconds(12)) {
                harness.tokenFileContent == new.value
            }
            #expect(try await harness.checkPasses())
        }
    }

    @Test func tokenFolderReplacedByAFileIsLoggedAndCountedAndRecovers() async throws {
        try await withSidecar { harness in
            let folder = harness.directory.path("wx")
            try FileManager.default.moveItem(atPath: folder, toPath: folder + ".aside")
            #expect(FileManager.default.createFile(atPath: folder, contents: Data("x".utf8)))
            let new = try await rotate(harness)
            #expect(harness.metric(#"wxsidecar_token_file_writes_total{result="error"}"#) >= 1)
            #expect(harness.logs.contains("cannot write the token file"))
            #expect(try await harness.checkPasses())
            try FileManager.default.removeItem(atPath: folder)
            try FileManager.default.moveItem(atPath: folder + ".aside", toPath: folder)
            try await eventually("the file to catch up", timeout: .seconds(12)) { harness.tokenFileContent == new.value }
        }
    }

    @Test func removedTokenFolderIsRecreatedAndTheFileWrittenAgain() async throws {
        try await withSidecar { harness in
            let token = try #require(harness.app.tokens.validToken())
            try FileManager.default.removeItem(atPath: harness.directory.path("wx"))
            #expect(try await harness.checkPasses())
            try await eventually("the folder and file to come back", timeout: .seconds(12)) {
                harness.tokenFileContent == token.value
            }
            #expect(harness.logs.contains("removed or altered"))
            // And a rotation after that lands in the file as usual.
            let new = try await rotate(harness)
            try await eventually("the rotated token in the file") { harness.tokenFileContent == new.value }
            #expect(try await harness.checkPasses())
        }
    }
}
