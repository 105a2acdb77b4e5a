// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0
//
// sandbox-exec ALLOWLIST COMMAND [ARGS...]: runs COMMAND under the parts of the unit's sandbox that matter to
// the program itself, without systemd: NoNewPrivileges, a seccomp allow list (one syscall name per line, the
// expansion of SystemCallFilter=@system-service minus @privileged and @resources; everything else fails with
// EPERM, as SystemCallErrorNumber=EPERM), and MemoryDenyWriteExecute via the kernel's PR_SET_MDWE (what
// systemd 255+ uses where available; older systemd uses a seccomp rule that is stricter only about
// mprotect(PROT_EXEC), which check-sandbox.sh counts separately). Build: cc -o sandbox-exec sandbox-exec.c -lseccomp
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: sandbox-exec ALLOWLIST COMMAND [ARGS...]\n");
        return 2;
    }
    FILE *list = fopen(argv[1], "r");
    if (!list) { perror(argv[1]); return 2; }
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!filter) { fprintf(stderr, "seccomp_init failed\n"); return 2; }
    char name[128];
    int allowed = 0;
    while (fscanf(list, "%127s", name) == 1) {
        int number = seccomp_syscall_resolve_name(name);
        if (number == __NR_SCMP_ERROR) continue;  // not on this architecture
        if (seccomp_rule_add(filter, SCMP_ACT_ALLOW, number, 0) == 0) allowed++;
    }
    fclose(list);
    // SystemCallArchitectures=native: the filter context starts with the native architecture only.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("PR_SET_NO_NEW_PRIVS"); return 2; }
    if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0) { perror("PR_SET_MDWE"); return 2; }
    // Silent from here on: the child's output is checked line by line. execve must be allowed for the exec below; it is in @system-service (@process).
    if (seccomp_load(filter) != 0) { fprintf(stderr, "seccomp_load failed\n"); return 2; }
    seccomp_release(filter);
    if (allowed < 100) { fprintf(stderr, "sandbox-exec: only %d syscalls allowed\n", allowed); return 2; }
    execv(argv[2], argv + 2);
    perror(argv[2]);
    return 127;
}
