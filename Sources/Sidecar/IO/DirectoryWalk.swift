// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// Linux values Glibc's Swift overlay does not export (`_GNU_SOURCE` only).
enum LinuxFlags {
    /// `O_PATH`: a descriptor that names a file without opening it for reading or writing.
    static let pathOnly: Int32 = 0o10000000
}

/// A directory opened by ``DirectoryWalk``: every file operation inside it goes through ``descriptor``
/// (`openat`, `renameat`, `unlinkat`), so nothing can redirect it once the walk has checked it.
final class OpenDirectory {
    /// Readable (`O_RDONLY | O_DIRECTORY`), for `openat` and `fsync`.
    let descriptor: Int32
    let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }
}

/// A directory the walk refused: a symbolic link where the token's directory should be, or a directory or link
/// owned by another user. The message names the path and says what to do.
struct UnsafeDirectory: Error, Sendable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Walks a directory path from `/` one component at a time, each opened with `O_DIRECTORY | O_NOFOLLOW` relative
/// to the one before, and checks each with `fstat` on the descriptor against a ``DirectoryPolicy``: no path
/// lookup is repeated after its check, so swapping a component for a link between check and use gains nothing.
/// Blocking: run it on a ``FileIOPool``.
enum DirectoryWalk {
    /// The result: the directory, and warnings about what the policy accepted but found exposed.
    struct Opened {
        var directory: OpenDirectory
        var warnings: [String]
    }

    /// Opens `path` (absolute, or relative to the working directory).
    /// - Parameter create: create missing directories (mode 0755, setgid cleared, owner checked after).
    /// - Throws: ``UnsafeDirectory`` when the policy refuses a component, or ``SystemError`` (`ENOENT` for a
    ///   missing directory when `create` is false, `ENOTDIR`, `EACCES`, `EMFILE`, …).
    static func open(_ path: String, create: Bool, policy: DirectoryPolicy = .current) throws -> Opened {
        var pending = components(path)
        var currentPath = path.hasPrefix("/") ? "" : "."
        var current = try openStart(path.hasPrefix("/") ? "/" : ".")
        var warnings: [String] = []
        var links = 0
        defer { if current >= 0 { close(current) } }
        while !pending.isEmpty {
            let name = pending.removeFirst()
            let childPath = currentPath + "/" + name
            let isLast = pending.isEmpty
            var fd = openat(current, name, LinuxFlags.pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            var created = false
            if fd < 0 && errno == ENOENT && create {
                if mkdirat(current, name, 0o755) != 0 && errno != EEXIST {
                    throw SystemError(operation: "mkdir", path: childPath)
                }
                created = true
                fd = openat(current, name, LinuxFlags.pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if fd < 0 {
                let code = errno
                guard code == ENOTDIR || code == ELOOP,
                    let target = try symbolicLink(in: current, name, path: childPath, isLast: isLast, policy: policy)
                else { throw SystemError(operation: "open the directory", path: childPath, code: code) }
                links += 1
                guard links <= 40 else { throw SystemError(operation: "resolve", path: path, code: ELOOP) }
                pending = components(target) + pending
                if target.hasPrefix("/") {
                    close(current)
                    current = -1
                    current = try openStart("/")
                    currentPath = ""
                }
                continue
            }
            var info = FileStatus()
            guard fstat(fd, &info) == 0 else {
                let failure = SystemError(operation: "stat", path: childPath)
                close(fd)
                throw failure
            }
            let entry = DirectoryPolicy.Entry(
                path: childPath, owner: info.owner, mode: info.permissions, isTokenDirectory: isLast)
            switch policy.verdict(for: entry) {
            case .refuse(let message):
                close(fd)
                throw UnsafeDirectory(message: message)
            case .warn(let message):
                warnings.append(message)
            case .accept:
                break
            }
            close(current)
            current = fd
            currentPath = childPath
            if created && info.owner == policy.user { try clearInheritedSetgid(current, info: info, path: childPath) }
        }
        let readable = openat(current, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard readable >= 0 else { throw SystemError(operation: "open the directory", path: path) }
        return Opened(directory: OpenDirectory(descriptor: readable, path: path), warnings: warnings)
    }

    // MARK: Steps

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }

    private static func openStart(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, LinuxFlags.pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open the directory", path: path) }
        return fd
    }

    /// The target of the link `name` in `directory` when the policy lets it be followed; `nil` when `name` is not
    /// a link (then it is not a directory either).
    private static func symbolicLink(
        in directory: Int32, _ name: String, path: String, isLast: Bool, policy: DirectoryPolicy
    ) throws -> String? {
        let link = openat(directory, name, LinuxFlags.pathOnly | O_NOFOLLOW | O_CLOEXEC)
        guard link >= 0 else { return nil }
        defer { close(link) }
        var info = FileStatus()
        guard fstat(link, &info) == 0, info.fileType == FileType.symbolicLink else { return nil }
        let entry = DirectoryPolicy.Entry(
            path: path, owner: info.owner, mode: info.permissions, isSymbolicLink: true,
            isTokenDirectory: isLast)
        if case .refuse(let message) = policy.verdict(for: entry) { throw UnsafeDirectory(message: message) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(link, "", &buffer, buffer.count - 1)
        guard count > 0 else { throw SystemError(operation: "readlink", path: path) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A directory the daemon just created inherits the setgid bit (and group) of a setgid parent: clear the bit,
    /// so files made in it get the daemon's group and nobody's group is carried further down.
    private static func clearInheritedSetgid(_ fd: Int32, info: FileStatus, path: String) throws {
        guard info.mode & FileType.setGroupID != 0 else { return }
        let readable = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard readable >= 0 else { throw SystemError(operation: "open the directory", path: path) }
        defer { close(readable) }
        guard fchmod(readable, mode_t(info.mode & 0o777)) == 0 else {
            throw SystemError(operation: "chmod", path: path)
        }
    }
}

extension DirectoryPolicy {
    /// The running process's effective user and group.
    static var current: DirectoryPolicy { DirectoryPolicy(user: geteuid(), group: getegid()) }
}
