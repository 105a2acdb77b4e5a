// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file's content atomically: a temporary file in the same directory, fsync, rename, fsync of
/// the directory. A reader sees the old content or the new, never an empty or partial file.
///
/// The directory is reached by ``DirectoryWalk`` (no symbolic link followed into it, its owner checked) and
/// every step after that is relative to its descriptor. The file gets the daemon's user and group whatever the
/// directory's setgid bit says, and exactly the mode asked for whatever the umask. Blocking: run it on a
/// ``FileIOPool``.
enum AtomicFile {
    /// What a look at an existing file found (``inspect(_:limit:)``).
    enum Found: Equatable {
        /// Nothing there, or something the next write replaces anyway: a symbolic link, a FIFO, a socket,
        /// a device, a file over the size limit.
        case absent(String)
        case file(bytes: [UInt8], mode: UInt32, owner: UInt32, group: UInt32)
    }

    /// Writes `bytes` to `path` with permission bits `mode`, creating missing directories (``DirectoryWalk``).
    static func replace(_ path: String, with bytes: [UInt8], mode: UInt32) throws {
        let (directoryPath, name) = split(path)
        let directory = try DirectoryWalk.open(directoryPath, create: true).directory
        let temporary = ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(directory.descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError(operation: "create", path: "\(directoryPath)/\(temporary)") }
        var failure = giveOwnership(fd, mode: mode, path: path)
        if failure == nil, !writeAll(fd, bytes) {
            failure = SystemError(operation: "write", path: path)
        }
        if failure == nil, fsync(fd) != 0 {
            failure = SystemError(operation: "fsync", path: path)
        }
        close(fd)
        if failure == nil, renameat(directory.descriptor, temporary, directory.descriptor, name) != 0 {
            failure = SystemError(operation: "rename", path: path)
        }
        if let failure {
            unlinkat(directory.descriptor, temporary, 0)
            throw failure
        }
        fsync(directory.descriptor)
    }

    /// Removes `path`; a missing file or directory is not an error.
    static func remove(_ path: String) throws {
        let (directoryPath, name) = split(path)
        let directory: OpenDirectory
        do {
            directory = try DirectoryWalk.open(directoryPath, create: false).directory
        } catch let error as SystemError where error.code == ENOENT {
            return
        }
        if unlinkat(directory.descriptor, name, 0) != 0 && errno != ENOENT {
            throw SystemError(operation: "unlink", path: path)
        }
    }

    /// The file's content, mode, owner and group; ``Found/absent(_:)`` when nothing the next write would not
    /// replace is there. Opened with `O_NOFOLLOW | O_NONBLOCK` and checked with `fstat` on the descriptor.
    /// - Throws: ``SystemError`` for anything that is not an answer about the file (`EMFILE`, `EACCES`, `EIO`,
    ///   `ENOTDIR`, …), ``UnsafeDirectory`` when the directory is refused, ``FileIOStalled`` never (the caller's).
    static func inspect(_ path: String, limit: Int) throws -> Found {
        let (directoryPath, name) = split(path)
        let directory: OpenDirectory
        do {
            directory = try DirectoryWalk.open(directoryPath, create: false).directory
        } catch let error as SystemError where error.code == ENOENT {
            return .absent("the directory \(directoryPath) is missing")
        }
        let fd = openat(directory.descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if let absence = FileProbe.absence(openError: code) { return .absent(absence) }
            throw SystemError(operation: "open", path: path, code: code)
        }
        defer { close(fd) }
        var info = FileStatus()
        guard fstat(fd, &info) == 0 else { throw SystemError(operation: "stat", path: path) }
        guard info.isRegularFile else { return .absent("\(path) is not a regular file") }
        guard info.size <= Int64(limit) else { return .absent("\(path) is larger than \(limit) bytes") }
        let bytes = try FileProbe.readAll(fd, limit: limit, path: path).get()
        return .file(bytes: bytes, mode: info.permissions, owner: info.owner, group: info.group)
    }

    /// Walks to (creating) `path`'s directory and proves a file can be created in it. Returns the warnings of
    /// the walk (a directory other users can write to).
    static func prepareDirectory(of path: String) throws -> [String] {
        let (directoryPath, _) = split(path)
        let opened = try DirectoryWalk.open(directoryPath, create: true)
        let probe = ".wxsidecar-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(opened.directory.descriptor, probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError(operation: "create a file in", path: directoryPath) }
        let failure = giveOwnership(fd, mode: 0o600, path: directoryPath)
        close(fd)
        unlinkat(opened.directory.descriptor, probe, 0)
        if let failure { throw failure }
        return opened.warnings
    }

    // MARK: Helpers

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// The daemon's group and exactly `mode`: a setgid directory would otherwise give the file its own group
    /// (whose members could then read the token), and the umask would narrow the mode.
    private static func giveOwnership(_ fd: Int32, mode: UInt32, path: String) -> SystemError? {
        var info = FileStatus()
        guard fstat(fd, &info) == 0 else { return SystemError(operation: "stat", path: path) }
        let group = getegid()
        if info.group != group && fchown(fd, uid_t.max, group) != 0 {
            let code = errno
            return SystemError(
                operation: "give the daemon's group (gid \(group)) to", path: path, code: code,
                reason: "\(String(cString: strerror(code))); the directory is setgid to gid \(info.group), whose"
                    + " members would read the token: clear its setgid bit (chmod g-s)")
        }
        guard fchmod(fd, mode_t(mode)) == 0 else { return SystemError(operation: "chmod", path: path) }
        return nil
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
}
