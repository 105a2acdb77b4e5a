// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// Reading and parsing `whitelist.file`. Blocking: run it on ``FileIOPool/whitelist``.
enum WhitelistFile {
    /// Why a whitelist file could not be used; the message names the file and, for syntax, the line.
    struct LoadError: Error, Sendable, CustomStringConvertible {
        /// `unreadable` or the parser's label, for the reload metric and logs.
        var label: String
        var message: String
        var description: String { message }
    }

    /// What identifies one version of the file without reading it: inode, size, modification time.
    struct Stamp: Sendable, Equatable {
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    /// The file's stamp, or `nil` when it cannot be stat'ed.
    static func stamp(_ path: String) -> Stamp? {
        FileChecks.identity(path).map {
            Stamp(inode: $0.inode, size: $0.size, modifiedSeconds: $0.modifiedSeconds, modifiedNanoseconds: $0.modifiedNanoseconds)
        }
    }

    /// Reads and parses the whitelist (at most 1 MiB). Only a regular file is read (opened non-blocking and
    /// checked on the descriptor): a FIFO, device or directory is refused at once, never waited on.
    ///
    /// - Parameter refuseEmpty: refuse a file of zero bytes, which is what a file being rewritten in place
    ///   (truncated, then written) looks like for a moment. Reloads pass `true`; a file that means "allow
    ///   nothing" holds a comment line.
    static func load(_ path: String, refuseEmpty: Bool = false) -> Result<ParsedWhitelist, LoadError> {
        switch FileChecks.read(path, limit: 1 << 20) {
        case .failure(let error) where error.isNotRegularFile:
            return .failure(
                LoadError(label: "not_regular_file", message: "\(path) is \(error.reason); the whitelist must be a regular file"))
        case .failure(let error):
            return .failure(LoadError(label: "unreadable", message: "cannot read the whitelist: \(error)"))
        case .success(let bytes) where bytes.isEmpty && refuseEmpty:
            return .failure(
                LoadError(
                    label: "empty",
                    message: "\(path) is empty (0 bytes), as a file being rewritten is for a moment;"
                        + " to allow nothing, write a comment line such as '# none'"))
        case .success(let bytes):
            guard bytes.count <= 1 << 20 else {
                return .failure(LoadError(label: "too_large", message: "\(path) is larger than 1 MiB"))
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .failure(LoadError(label: "not_utf8", message: "\(path) is not UTF-8 text"))
            }
            return PathWhitelist.parse(text).mapError { error in
                LoadError(label: error.label, message: "\(path) \(error.description)")
            }
        }
    }
}
