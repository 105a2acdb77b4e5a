// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file's content atomically: a temporary file in the same directory, fsync, rename, fsync of
/// the directory. A reader sees the old content or the new, never an empty or partial file.
/// Blocking: call through ``BlockingIO``.
enum AtomicFile {
    /// Writes `bytes` to `path` with permission bits `mode` (applied with fchmod, so the umask does not narrow them).
    static func replace(_ path: String, with bytes: [UInt8], mode: UInt32) throws(SystemError) {
        let (directory, name) = split(path)
        let temporary = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw SystemError(operation: "create", path: temporary) }
        var failure: SystemError?
        if fchmod(fd, mode_t(mode)) != 0 {
            failure = SystemError(operation: "chmod", path: temporary)
        } else if !writeAll(fd, bytes) {
            failure = SystemError(operation: "write", path: temporary)
        } else if fsync(fd) != 0 {
            failure = SystemError(operation: "fsync", path: temporary)
        }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 {
            failure = SystemError(operation: "rename", path: path)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        syncDirectory(directory)
    }

    /// Removes `path`; a missing file is not an error.
    static func remove(_ path: String) throws(SystemError) {
        if unlink(path) != 0 && errno != ENOENT { throw SystemError(operation: "unlink", path: path) }
    }

    /// The file's content and permission bits, or `nil` when it does not exist or cannot be read.
    static func contentAndMode(_ path: String, limit: Int) -> (bytes: [UInt8], mode: UInt32)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= limit else {
            return nil
        }
        guard case .success(let bytes) = FileChecks.read(path, limit: limit) else { return nil }
        return (bytes, UInt32(info.st_mode) & 0o7777)
    }

    /// Creates `directory` and its parents (mode 0755) and proves a file can be created in it.
    static func prepareDirectory(of path: String) throws(SystemError) {
        let (directory, _) = split(path)
        try makeDirectories(directory)
        let probe = "\(directory)/.wxsidecar-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError(operation: "create a file in", path: directory) }
        close(fd)
        unlink(probe)
    }

    /// Creates `path`'s directory and its parents (mode 0755) when missing, so a folder removed while the
    /// daemon runs comes back on the next write. A non-directory in the way is an error (ENOTDIR).
    static func ensureDirectory(of path: String) throws(SystemError) {
        try makeDirectories(split(path).directory)
    }

    // MARK: Helpers

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    private static func makeDirectories(_ directory: String) throws(SystemError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw SystemError(operation: "use as a directory", path: directory, code: ENOTDIR)
            }
            return
        }
        let (parent, _) = split(directory)
        if parent != directory { try makeDirectories(parent) }
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw SystemError(operation: "mkdir", path: directory)
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
