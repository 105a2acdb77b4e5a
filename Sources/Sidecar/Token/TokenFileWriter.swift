// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps `token.file` (and the optional `token.metadata_file`) holding the current token, exactly the
/// token with no newline, replaced atomically, rewritten only when the token changed or the file was
/// removed or altered. All file work runs on ``FileIOPool/tokenFile``, through a directory walked without
/// following symbolic links and owned by root or the daemon; the file gets the daemon's user and group.
public struct TokenFileWriter: Sendable {
    public var path: String
    public var mode: UInt32
    public var metadataPath: String?
    public var tokenMode: SidecarConfiguration.TokenMode

    public init(path: String, mode: UInt32, metadataPath: String?, tokenMode: SidecarConfiguration.TokenMode) {
        self.path = path
        self.mode = mode
        self.metadataPath = metadataPath
        self.tokenMode = tokenMode
    }

    /// Why the token's directory cannot be used at start: the key it comes from, whether the directory was
    /// refused (a symbolic link, another user's) or merely failed (not writable), and the message.
    public struct DirectoryProblem: Error, Sendable, CustomStringConvertible {
        /// `token.file` or `token.metadata_file`.
        public var key: String
        /// The directory was refused as unsafe rather than failing a system call.
        public var refused: Bool
        public var message: String
        public var description: String { message }
    }

    /// Creates the directories (walked without following symbolic links, see ``DirectoryWalk``) and proves
    /// they are writable; run at start so a bad path fails fast.
    /// - Returns: warnings to log: a directory other users can write to, and what that exposes.
    @discardableResult
    public func prepare() async throws -> [String] {
        let targets = [("token.file", path)] + (metadataPath.map { [("token.metadata_file", $0)] } ?? [])
        return try await BlockingIO.run(on: .tokenFile) {
            var warnings: [String] = []
            for (key, file) in targets {
                do {
                    warnings += try AtomicFile.prepareDirectory(of: file).filter { !warnings.contains($0) }
                } catch let refusal as UnsafeDirectory {
                    throw DirectoryProblem(key: key, refused: true, message: refusal.message)
                } catch {
                    throw DirectoryProblem(key: key, refused: false, message: "\(error)")
                }
            }
            return warnings
        }
    }

    /// Whether the file does not hold exactly `token` with the configured mode, the daemon's user and its group:
    /// `true` when it is missing, altered, replaced by something else (a link, a FIFO), or its directory is
    /// missing (the write recreates it).
    /// - Throws: when the answer could not be had: ``SystemError`` (`EMFILE`, `ENFILE`, `EACCES`, `EIO`,
    ///   `ENOTDIR`, …), ``UnsafeDirectory`` (the directory became a symbolic link or another user's),
    ///   ``FileIOStalled`` (the file system is not answering). Report these as errors, not as "altered".
    public func needsRewrite(for token: AccessToken) async throws -> Bool {
        let path = self.path
        let mode = self.mode
        let expected = Array(token.value.utf8)
        return try await BlockingIO.run(on: .tokenFile) {
            switch try AtomicFile.inspect(path, limit: 8192) {
            case .absent:
                return true
            case .file(let bytes, let actualMode, let owner, let group):
                return bytes != expected || actualMode != mode || owner != geteuid() || group != getegid()
            }
        }
    }

    /// Writes the token (and metadata) if the file does not already hold it, recreating a folder that was
    /// removed. Returns whether it wrote.
    @discardableResult
    public func write(_ token: AccessToken) async throws -> Bool {
        guard try await needsRewrite(for: token) else { return false }
        let path = self.path
        let mode = self.mode
        let metadata = metadataPath.map { ($0, metadataJSON(for: token)) }
        try await BlockingIO.run(on: .tokenFile) {
            try AtomicFile.replace(path, with: Array(token.value.utf8), mode: mode)
            if let (metadataPath, json) = metadata {
                try AtomicFile.replace(metadataPath, with: json, mode: mode)
            }
        }
        return true
    }

    /// Removes the token file (the held token expired with no replacement): a dead token is never left behind.
    public func remove() async throws {
        let path = self.path
        let metadataPath = self.metadataPath
        try await BlockingIO.run(on: .tokenFile) {
            try AtomicFile.remove(path)
            if let metadataPath { try AtomicFile.remove(metadataPath) }
        }
    }

    /// `{"expires_at":"…","fetched_at":"…","expires_at_unix":…,"mode":"stable","fingerprint":"fp:…"}`.
    func metadataJSON(for token: AccessToken) -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        let object: [String: Any] = [
            "expires_at": formatter.string(from: Date(timeIntervalSince1970: token.expiresAt)),
            "fetched_at": formatter.string(from: Date(timeIntervalSince1970: token.fetchedAt)),
            "expires_at_unix": Int(token.expiresAt),
            "fetched_at_unix": Int(token.fetchedAt),
            "mode": tokenMode.rawValue,
            "fingerprint": token.fingerprint,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Array(data)
    }
}
