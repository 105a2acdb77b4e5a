// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Keeps `token.file` (and the optional `token.metadata_file`) holding the current token, exactly the
/// token with no newline, replaced atomically, rewritten only when the token changed or the file was
/// removed or altered. All file work runs on NIO's blocking pool.
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

    /// Creates the directories and proves they are writable; run at start so a bad path fails fast.
    public func prepare() async throws {
        let path = self.path
        let metadataPath = self.metadataPath
        try await BlockingIO.run {
            try AtomicFile.prepareDirectory(of: path)
            if let metadataPath { try AtomicFile.prepareDirectory(of: metadataPath) }
        }
    }

    /// Whether the file does not hold exactly `token` with the configured mode.
    public func needsRewrite(for token: AccessToken) async throws -> Bool {
        let path = self.path
        let mode = self.mode
        let expected = Array(token.value.utf8)
        return try await BlockingIO.run {
            guard let (bytes, actualMode) = AtomicFile.contentAndMode(path, limit: 8192) else { return true }
            return bytes != expected || actualMode != mode
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
        try await BlockingIO.run {
            try AtomicFile.ensureDirectory(of: path)
            try AtomicFile.replace(path, with: Array(token.value.utf8), mode: mode)
            if let (metadataPath, json) = metadata {
                try AtomicFile.ensureDirectory(of: metadataPath)
                try AtomicFile.replace(metadataPath, with: json, mode: mode)
            }
        }
        return true
    }

    /// Removes the token file (the held token expired with no replacement): a dead token is never left behind.
    public func remove() async throws {
        let path = self.path
        let metadataPath = self.metadataPath
        try await BlockingIO.run {
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
