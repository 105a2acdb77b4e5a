// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// glibc's allocator controls (malloc_trim), which Swift's Glibc module does not bring in.
#ifndef WXSIDECAR_CMALLOC_SHIM_H
#define WXSIDECAR_CMALLOC_SHIM_H
#include <malloc.h>
#endif
