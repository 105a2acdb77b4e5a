// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer's entry for a program that has its own main (compiler-rt's FuzzerInterface.h). Declared here because
// Swift cannot declare a C function; the symbol comes from the runtime `-sanitize=fuzzer` links, so only a build
// with FUZZING may call it. Nothing links against this module otherwise.

#ifndef WXSIDECAR_CLIBFUZZER_H
#define WXSIDECAR_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
