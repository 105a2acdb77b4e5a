// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// The two GNU calls the tests' process launcher (Tests/TestSupport/ChildProcess.swift) needs and Swift's Glibc
// module leaves out (it is built without _GNU_SOURCE): glibc's own prototypes, declared again.
#ifndef WXSIDECAR_CSPAWN_SHIM_H
#define WXSIDECAR_CSPAWN_SHIM_H
#include <spawn.h>

/// Closes every descriptor from `from` up in the child (glibc 2.34).
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// A pipe whose ends carry `flags` (O_CLOEXEC) from the start, with no window for another thread's spawn.
int pipe2(int descriptors[2], int flags);
#endif
