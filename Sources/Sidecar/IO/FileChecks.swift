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
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, R_OK) == 0
    }

    /// Inode, size and modification time, or `nil` when `path` cannot be stat'ed.
    static func identity(_ path: String) -> (inode: UInt64, size: Int64, modifiedSeconds: Int, modifiedNanoseconds: Int)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        // st_mtim is a `struct timespec`: read its two words without naming the type, whose owning Clang
        // module differs between clean and incremental builds.
        let (seconds, nanoseconds) = withUnsafeBytes(of: info.st_mtim) { ($0.load(as: Int.self), $0.load(fromByteOffset: 8, as: Int.self)) }
        return (UInt64(info.st_ino), Int64(info.st_size), seconds, nanoseconds)
    }

    /// The whole file as bytes, or the `errno` text.
    static func read(_ path: String, limit: Int = 1 << 20) -> Result<[UInt8], SystemError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(SystemError(operation: "open", path: path)) }
        defer { close(fd) }
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
}

/// A failed system call: the operation, the path, and `strerror(errno)`.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32
    public var reason: String

    /// Captures the current `errno`.
    init(operation: String, path: String) {
        self.init(operation: operation, path: path, code: errno)
    }

    init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
        self.reason = String(cString: strerror(code))
    }

    public var description: String { "\(operation) \(path): \(reason)" }
}
