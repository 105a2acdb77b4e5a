// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Makes a directory unwritable for a process running as root, for which `chmod` changes nothing.
///
/// First choice: a read-only bind mount of the directory over itself (`mount --bind` then
/// `remount,bind,ro`), so every create, rename and unlink inside it fails with EROFS while reads still work.
/// Where mounting is not permitted (no CAP_SYS_ADMIN, a seccomp filter, a user namespace), the fallback moves
/// the directory aside and puts a regular file at its path: every file operation under it fails with ENOTDIR.
/// ``restore()`` undoes either.
final class UnwritableDirectory: Sendable {
    enum Method: String, Sendable {
        case readOnlyBindMount = "read-only bind mount"
        case replacedByFile = "directory replaced by a regular file"
    }

    let path: String
    let method: Method

    /// Makes `path` (an existing directory) unwritable.
    init(_ path: String) throws {
        self.path = path
        if mount(path, path, nil, UInt(MS_BIND), nil) == 0 {
            if mount(nil, path, nil, UInt(MS_REMOUNT | MS_BIND | MS_RDONLY), nil) == 0 {
                method = .readOnlyBindMount
                return
            }
            umount2(path, Int32(MNT_DETACH))
        }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".aside")
        guard FileManager.default.createFile(atPath: path, contents: Data("not a directory".utf8)) else {
            try? FileManager.default.moveItem(atPath: path + ".aside", toPath: path)
            throw CocoaError(.fileWriteUnknown)
        }
        method = .replacedByFile
    }

    /// Makes the directory writable again, with the content it had.
    func restore() {
        switch method {
        case .readOnlyBindMount:
            umount2(path, Int32(MNT_DETACH))
        case .replacedByFile:
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.moveItem(atPath: path + ".aside", toPath: path)
        }
    }

    /// Whether creating a file in the directory fails now (checks the method really worked).
    var refusesWrites: Bool {
        let probe = path + "/.probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return true }
        close(fd)
        unlink(probe)
        return false
    }
}
