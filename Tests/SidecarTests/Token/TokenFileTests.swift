// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
@testable import Sidecar
import Synchronization
import TestSupport
import Testing

/// The token file: exactly the token, atomic replacement, mode bits, metadata, rewritten when altered.
@Suite struct TokenFileTests {
    static func token(_ value: String, expiresIn: Int = 7200) -> AccessToken {
        AccessToken(value: value, fetchedAt: WallClock.now(), expiresIn: expiresIn)
    }

    @Test func fileHoldsExactlyTheTokenWithTheConfiguredModeAndNoNewline() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = TokenFileWriter(
            path: directory.path("a/b/token"), mode: 0o640, metadataPath: directory.path("a/b/token.json"), tokenMode: .stable)
        try await writer.prepare()
        #expect(try await writer.write(Self.token("tok_ABC-123")))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.path("a/b/token")))
        #expect(String(decoding: bytes, as: UTF8.self) == "tok_ABC-123")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path("a/b/token"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        let metadata = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: directory.path("a/b/token.json")))) as? [String: Any]
        #expect(metadata?["mode"] as? String == "stable")
        #expect(metadata?["fingerprint"] as? String == Self.token("tok_ABC-123").fingerprint)
        #expect(metadata?["expires_at"] is String)
        #expect(!(String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.path("a/b/token.json"))), as: UTF8.self)).contains("tok_ABC-123"))
    }

    @Test(arguments: [UInt32(0o600), 0o640, 0o644])
    func modeBitsAreAppliedWhateverTheUmask(_ mode: UInt32) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = TokenFileWriter(path: directory.path("token"), mode: mode, metadataPath: nil, tokenMode: .classic)
        let previous = umask(0o077)
        defer { umask(previous) }
        try await writer.write(Self.token("t1"))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path("token"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.uint32Value == mode)
    }

    @Test func unchangedTokenIsNotRewrittenButAlteredOrRemovedFileIs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = TokenFileWriter(path: directory.path("token"), mode: 0o640, metadataPath: nil, tokenMode: .stable)
        let token = Self.token("same-token")
        #expect(try await writer.write(token))
        #expect(try await writer.write(token) == false)
        _ = try directory.write("tampered", to: "token")
        #expect(try await writer.write(token))
        try FileManager.default.removeItem(atPath: directory.path("token"))
        #expect(try await writer.write(token))
        chmod(directory.path("token"), 0o666)
        #expect(try await writer.write(token))
    }

    /// A reader loop during hundreds of rewrites never sees a partial or empty file.
    @Test func readersNeverSeeAPartialOrEmptyFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("token")
        let writer = TokenFileWriter(path: path, mode: 0o640, metadataPath: nil, tokenMode: .stable)
        let tokens = (0..<400).map { index in String(repeating: "T\(index % 10)", count: 68) + String(index) }
        try await writer.write(Self.token(tokens[0]))
        let valid = Set(tokens)
        let done = StopFlag()
        let observations = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            group.addTask {
                try await DedicatedThread.run {
                    var reads = 0
                    var bad: [String] = []
                    while !done.isSet || reads < 1000 {
                        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing>"
                        if !valid.contains(text) { bad.append(text) }
                        reads += 1
                    }
                    return (reads, bad)
                }
            }
            for token in tokens.dropFirst() { try await writer.write(Self.token(token)) }
            done.set()
            return try await group.next()!
        }
        #expect(observations.1.isEmpty, "saw \(observations.1.count) bad reads, e.g. \(observations.1.prefix(3))")
        #expect(observations.0 >= 1000)
    }
}

/// A flag one task sets and a blocking loop on another thread reads.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

/// What the token file's upkeep learns from a look at the file: "write it again" (missing, altered, another mode,
/// owner or group, something else in its place) against "could not tell" (an I/O error, a refused directory),
/// which must be reported as an error rather than as an altered file.
@Suite struct TokenFileCheckTests {
    static func writer(_ directory: TemporaryDirectory, _ name: String = "wx/token") -> TokenFileWriter {
        TokenFileWriter(path: directory.path(name), mode: 0o640, metadataPath: nil, tokenMode: .stable)
    }

    /// `open` errors: which mean "nothing usable there" and which are errors about the check itself.
    @Test(arguments: [
        (ENOENT, true), (ELOOP, true), (ENXIO, true),
        (EMFILE, false), (ENFILE, false), (EACCES, false), (EIO, false), (ENOMEM, false), (ENOTDIR, false), (EPERM, false),
    ])
    func openErrorsAreAbsencesOrErrors(_ code: Int32, _ meansAbsent: Bool) {
        #expect((FileProbe.absence(openError: code) != nil) == meansAbsent, "errno \(code)")
    }

    @Test func missingAlteredOrReplacedFilesNeedARewrite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = Self.writer(directory)
        let token = TokenFileTests.token("the-token")
        #expect(try await writer.needsRewrite(for: token))  // directory missing
        try await writer.write(token)
        #expect(try await writer.needsRewrite(for: token) == false)
        chmod(writer.path, 0o644)
        #expect(try await writer.needsRewrite(for: token))  // another mode
        try await writer.write(token)
        chown(writer.path, 0, 65_534)
        #expect(try await writer.needsRewrite(for: token))  // another group
        try await writer.write(token)
        unlink(writer.path)
        try FileManager.default.createSymbolicLink(atPath: writer.path, withDestinationPath: directory.path("elsewhere"))
        #expect(try await writer.needsRewrite(for: token))  // a link in its place
        unlink(writer.path)
        #expect(mkfifo(writer.path, 0o640) == 0)
        #expect(try await writer.needsRewrite(for: token))  // a FIFO in its place: not opened blocking, not read
        try await writer.write(token)
        #expect(try String(contentsOfFile: writer.path, encoding: .utf8) == "the-token")
    }

    @Test func aTokenDirectoryReplacedByAFileIsAnErrorNotAnAlteredFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = Self.writer(directory)
        try directory.write("not a directory", to: "wx")
        await #expect(throws: SystemError.self) { try await writer.needsRewrite(for: TokenFileTests.token("t")) }
    }

    @Test func aTokenDirectoryTurnedIntoASymbolicLinkIsAnErrorAndIsNotWrittenThrough() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = Self.writer(directory)
        try await writer.write(TokenFileTests.token("first"))
        try FileManager.default.moveItem(atPath: directory.path("wx"), toPath: directory.path("real"))
        try FileManager.default.createDirectory(atPath: directory.path("elsewhere"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: directory.path("wx"), withDestinationPath: directory.path("elsewhere"))
        await #expect(throws: UnsafeDirectory.self) { try await writer.needsRewrite(for: TokenFileTests.token("second")) }
        await #expect(throws: UnsafeDirectory.self) { try await writer.write(TokenFileTests.token("second")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("elsewhere")).isEmpty)
    }

    @Test func theFileGetsTheDaemonsGroupInASetgidDirectoryOfAnotherGroup() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shared = directory.path("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chown(shared, 0, 65_534)
        chmod(shared, 0o2775)
        let writer = Self.writer(directory, "shared/sub/token")
        try await writer.prepare()
        try await writer.write(TokenFileTests.token("t"))
        let file = try FileManager.default.attributesOfItem(atPath: writer.path)
        let sub = try FileManager.default.attributesOfItem(atPath: directory.path("shared/sub"))
        #expect((file[.groupOwnerAccountID] as? NSNumber)?.uint32Value == getegid())
        #expect((file[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        // A directory the daemon made inside it does not carry the setgid bit on (FileManager reports the mode
        // with the special bits).
        #expect(((sub[.posixPermissions] as? NSNumber)?.intValue ?? 0) & 0o2000 == 0)
    }
}
