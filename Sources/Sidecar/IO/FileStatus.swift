// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc

/// `struct stat`, named by its module: with several C modules in scope (Foundation's, swift-crypto's), a bare
/// `stat()` may resolve to another module's copy of the declaration, which member-import visibility then refuses.
typealias FileStatus = Glibc.stat
#elseif canImport(Darwin)
import Darwin

typealias FileStatus = Darwin.stat
#endif
