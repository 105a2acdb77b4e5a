// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(CoreFoundation)
// `struct stat` is declared by several C modules in the graph (Glibc, CoreFoundation, swift-certificates' and
// swift-crypto's shims). Which copy owns its members depends on the build (a release build picks CoreFoundation's),
// and member-import visibility then wants that module imported. This file is the only one that reads the members.
import CoreFoundation
#endif

/// `struct stat`, named by its module, so a bare `stat` never resolves to another module's copy.
#if canImport(Glibc)
typealias FileStatus = Glibc.stat
#elseif canImport(Darwin)
typealias FileStatus = Darwin.stat
#endif

/// The POSIX file-type bits of `st_mode`. Spelled out here because `S_IFMT` and friends are exported by two
/// modules (Glibc and CoreFoundation) and are ambiguous where both are imported; the values are fixed by POSIX.
enum FileType {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let fifo: UInt32 = 0o010000
    static let characterDevice: UInt32 = 0o020000
    static let blockDevice: UInt32 = 0o060000
    static let socket: UInt32 = 0o140000
    static let symbolicLink: UInt32 = 0o120000
    /// The setgid permission bit.
    static let setGroupID: UInt32 = 0o2000
}

/// What the daemon reads from a `stat`: every member access lives here (see the import above).
extension FileStatus {
    /// The whole `st_mode`: type and permission bits.
    var mode: UInt32 { UInt32(st_mode) }
    /// `st_mode & 0o7777`: permission bits with setuid, setgid and sticky.
    var permissions: UInt32 { UInt32(st_mode) & 0o7777 }
    var fileType: UInt32 { UInt32(st_mode) & FileType.mask }
    var isRegularFile: Bool { fileType == FileType.regular }
    var owner: uid_t { st_uid }
    var group: gid_t { st_gid }
    var size: Int64 { Int64(st_size) }
    var inode: UInt64 { UInt64(st_ino) }
    /// `st_mtim` as seconds and nanoseconds, read as its two words without naming `struct timespec`, whose owning
    /// Clang module differs between clean and incremental builds.
    var modified: (seconds: Int, nanoseconds: Int) {
        withUnsafeBytes(of: st_mtim) { ($0.load(as: Int.self), $0.load(fromByteOffset: 8, as: Int.self)) }
    }
}
