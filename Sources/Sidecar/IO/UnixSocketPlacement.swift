// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// Puts a listening unix socket at its path with its final mode from the first instant: the socket is bound
/// inside a private directory (mode 0700, the daemon's) made beside the path, given its mode there, then renamed
/// into place. Nobody else can reach the socket before the rename, and after it the mode is already the
/// configured one: no moment with the umask's mode, and no `chmod` by path that a swapped-in symbolic link could
/// redirect.
///
/// The bind goes through `/proc/self/fd/N/NAME`, N being the private directory's descriptor, so even the bind
/// cannot be redirected by renaming the directory. Blocking but quick (a few system calls): call it from the
/// service that binds.
final class UnixSocketPlacement: Sendable {
    /// Where the socket must end up.
    let path: String
    /// Where to bind it: inside the private directory.
    let bindPath: String
    private let mode: UInt32
    private let directory: Int32
    private let staging: Int32
    private let stagingName: String
    private let name: String

    /// Makes the private directory beside `path` and removes a socket left at `path` by an earlier run.
    /// - Throws: ``SystemError`` (the directory cannot be opened or written, something other than a socket is
    ///   at `path`, the private directory is not private).
    init(path: String, mode: UInt32) throws {
        let (directoryPath, name) = AtomicFile.split(path)
        self.path = path
        self.mode = mode
        self.name = name
        directory = open(directoryPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw SystemError(operation: "open the directory", path: directoryPath) }
        var existing = FileStatus()
        if fstatat(directory, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 {
            guard existing.fileType == FileType.socket else {
                close(directory)
                throw SystemError(
                    operation: "listen on", path: path, code: EEXIST,
                    reason: "\(FileProbe.kind(of: existing.mode)) is already there (only a stale socket is replaced)")
            }
            unlinkat(directory, name, 0)
        }
        stagingName = ".\(name).bind-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdirat(directory, stagingName, 0o700) == 0 else {
            let failure = SystemError(operation: "mkdir", path: "\(directoryPath)/\(stagingName)")
            close(directory)
            throw failure
        }
        staging = openat(directory, stagingName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        var info = FileStatus()
        guard staging >= 0, fstat(staging, &info) == 0, info.owner == geteuid(), info.mode & 0o077 == 0 else {
            let failure = SystemError(
                operation: "use", path: "\(directoryPath)/\(stagingName)", code: EPERM,
                reason: "it is not a private directory of this user")
            if staging >= 0 { close(staging) }
            unlinkat(directory, stagingName, AT_REMOVEDIR)
            close(directory)
            throw failure
        }
        let throughDescriptor = "/proc/self/fd/\(staging)"
        bindPath = access(throughDescriptor, X_OK) == 0 ? "\(throughDescriptor)/\(name)" : "\(directoryPath)/\(stagingName)/\(name)"
    }

    deinit {
        unlinkat(staging, name, 0)
        unlinkat(directory, stagingName, AT_REMOVEDIR)
        close(staging)
        close(directory)
    }

    /// Gives the bound socket its mode inside the private directory, then renames it to ``path``.
    func publish() throws {
        guard fchmodat(staging, name, mode_t(mode), 0) == 0 else { throw SystemError(operation: "chmod", path: bindPath) }
        guard renameat(staging, name, directory, name) == 0 else { throw SystemError(operation: "rename", path: path) }
        unlinkat(directory, stagingName, AT_REMOVEDIR)
    }
}
