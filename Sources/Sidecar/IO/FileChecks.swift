// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small blocking file-system questions. Call them through ``BlockingIO`` from async code.
enum FileChecks {
    /// Whether `path` names a regular file this process can read.
    static func isReadableFile(_ path: String) -> Bool {
        var info = FileStatus()
        guard stat(path, &info) == 0, info.isRegularFile else { return false }
        return access(path, R_OK) == 0
    }

    /// Inode, size and modification time, or `nil` when `path` cannot be stat'ed.
    static func identity(_ path: String) -> (inode: UInt64, size: Int64, modifiedSeconds: Int, modifiedNanoseconds: Int)? {
        var info = FileStatus()
        guard stat(path, &info) == 0 else { return nil }
        let modified = info.modified
        return (info.inode, info.size, modified.seconds, modified.nanoseconds)
    }

    /// The whole file as bytes, or the `errno` text. Only a regular file is read: the path is opened with
    /// `O_NONBLOCK` (a FIFO with no writer cannot hold the open, a device is not waited on) and the descriptor
    /// checked with `fstat` before any read; a FIFO, device, socket or directory fails with the kind it is.
    static func read(_ path: String, limit: Int = 1 << 20) -> Result<[UInt8], SystemError> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(SystemError(operation: "open", path: path)) }
        defer { close(fd) }
        var info = FileStatus()
        guard fstat(fd, &info) == 0 else { return .failure(SystemError(operation: "stat", path: path)) }
        guard info.isRegularFile else {
            return .failure(.notRegularFile(path, mode: info.mode))
        }
        return FileProbe.readAll(fd, limit: limit, path: path)
    }
}

/// Reading an open descriptor, and what an `open` error means for a file the daemon owns.
enum FileProbe {
    /// Reads up to `limit + 1` bytes (so a caller can tell "over the limit"), retrying on EINTR.
    static func readAll(_ fd: Int32, limit: Int, path: String) -> Result<[UInt8], SystemError> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(SystemError(operation: "read", path: path))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return .success(bytes)
    }

    /// Why an `open(O_RDONLY | O_NOFOLLOW | O_NONBLOCK)` of a file the daemon writes failed, when the failure
    /// means "nothing usable there, write it again": missing (`ENOENT`), a symbolic link in its place (`ELOOP`),
    /// a socket or a FIFO-like object that cannot be opened (`ENXIO`). `nil` for an error that says nothing about
    /// the file — `EMFILE`, `ENFILE`, `EACCES`, `EIO`, `ENOMEM`, … — which the caller reports as an error.
    static func absence(openError code: Int32) -> String? {
        switch code {
        case ENOENT: "missing"
        case ELOOP: "a symbolic link in its place"
        case ENXIO: "a socket or device in its place"
        default: nil
        }
    }

    /// "a FIFO (named pipe)", "a directory", … for `st_mode`.
    static func kind(of mode: UInt32) -> String {
        switch mode & FileType.mask {
        case FileType.regular: "a regular file"
        case FileType.directory: "a directory"
        case FileType.fifo: "a FIFO (named pipe)"
        case FileType.characterDevice: "a character device"
        case FileType.blockDevice: "a block device"
        case FileType.socket: "a socket"
        case FileType.symbolicLink: "a symbolic link"
        default: "not a regular file"
        }
    }
}

/// A failed system call: the operation, the path, and `strerror(errno)` (or a more precise reason).
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32
    public var reason: String

    /// Captures the current `errno`.
    init(operation: String, path: String) {
        self.init(operation: operation, path: path, code: errno)
    }

    init(operation: String, path: String, code: Int32, reason: String? = nil) {
        self.operation = operation
        self.path = path
        self.code = code
        self.reason = reason ?? String(cString: strerror(code))
    }

    public var description: String { "\(operation) \(path): \(reason)" }

    /// `path` is a FIFO, device, socket or directory where a regular file belongs (reported as `EINVAL`).
    static func notRegularFile(_ path: String, mode: UInt32) -> SystemError {
        SystemError(operation: "read", path: path, code: EINVAL, reason: "\(FileProbe.kind(of: mode)), not a regular file")
    }

    /// Whether this is ``notRegularFile(_:mode:)``.
    var isNotRegularFile: Bool { operation == "read" && code == EINVAL }
}
