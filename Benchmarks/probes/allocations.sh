#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# The sizes the sidecar asks glibc's malloc and realloc for, per 1 KB call at c=1, per thread: a uprobe on each
# (`perf probe`, the size from its argument register) over 2 s of a wrk run, as counts per request, largest sizes
# first. Uses .build-bench as cpu-budget.sh does.
#
#   Benchmarks/probes/allocations.sh [TOP]       BIN=path/to/wxsidecar overrides the shipped static build
set -euo pipefail
TOP="${1:-20}"
source "$(dirname "$0")/common.sh"
LIBC=$(ldd "$BIN" | awk '/libc.so/{print $3}')
perf probe -q -x "$LIBC" 'malloc bytes=%di:u64' 2>/dev/null || true
perf probe -q -x "$LIBC" 'realloc bytes=%si:u64' 2>/dev/null || true
start_upstream
start_sidecar
wrk -t1 -c1 -d6s -s "$SCRIPT" "$SIDECAR_URL" >"$D/probe.wrk" &
W=$!
sleep 2
# Each answer leaves in one writev (Benchmarks/probes/syscalls.sh): those count the requests traced.
perf record -e probe_libc:malloc -e probe_libc:realloc -e syscalls:sys_enter_writev -p "$SIDECAR" \
  -o "$D/allocations.data" -- sleep 2 >/dev/null 2>&1
wait $W
perf script -i "$D/allocations.data" -F comm,event,trace 2>/dev/null | python3 -c '
import collections, re, sys
top, requests = int(sys.argv[1]), 0
counts = collections.Counter()
lines = sys.stdin.read().splitlines()
requests = sum("sys_enter_writev" in line for line in lines)
for line in lines:
    m = re.search(r"^\s*(.+?)\s+probe_libc:(\w+):.*bytes=(\d+)", line)
    if m: counts[(m.group(1).strip(), m.group(2), int(m.group(3)))] += 1
print(f"{requests} requests traced; calls per request, largest sizes first:")
for (thread, call, size), n in sorted(counts.items(), key=lambda kv: -kv[0][2])[:top]:
    print(f"  {thread:16s} {call:7s} {size:7d} bytes  {n / requests:5.2f}")
threads = collections.Counter()
for (thread, _, _), n in counts.items(): threads[thread] += n
print("all sizes, per request: " + ", ".join(f"{t} {n / requests:.1f}" for t, n in threads.most_common(3)))
' "$TOP"
