#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Who runs when, per 1 KB call at c=64: `perf sched record` over one second of a wrk run against the sidecar or the
# peer, then per task its CPU time, how often it was switched in per request and its mean run, and the idle time
# (in all, and in periods of 0.5 ms or more). perf's tracing slows the run it watches; compare the two targets, not
# the absolute figures. Uses .build-bench as cpu-budget.sh does.
#
#   Benchmarks/probes/sched-switches.sh sidecar|peer     BIN=path/to/wxsidecar overrides the shipped static build
set -euo pipefail
TARGET="${1:?sidecar or peer}"
source "$(dirname "$0")/common.sh"
start_upstream
if [ "$TARGET" = sidecar ]; then start_sidecar; URL=$SIDECAR_URL; else start_peer; URL=$PEER_URL; fi
wrk -t2 -c64 -d8s -s "$SCRIPT" "$URL" >"$D/probe.wrk" &
WRK=$!
sleep 3
perf sched record -o "$D/sched.data" -- sleep 1 >/dev/null 2>&1
wait $WRK
REQUESTS=$(grep -o '"requests":[0-9]*' "$D/probe.wrk" | cut -d: -f2)
perf sched timehist -i "$D/sched.data" 2>/dev/null | python3 -c '
import collections, sys
per_second = int(sys.argv[1]) / 8
rows = [l.split() for l in sys.stdin.read().splitlines()[3:]]
rows = [r for r in rows if len(r) >= 6]
run, switches, idle = collections.Counter(), collections.Counter(), []
for r in rows:
    task = r[2].split("[")[0]
    task = "nginx" if task.startswith("nginx") else task
    run[task] += float(r[-1]); switches[task] += 1
    if task == "<idle>": idle.append(float(r[-1]))
span = float(rows[-1][0]) - float(rows[0][0])
requests = per_second * span
print(f"{sys.argv[2]}: {per_second:.0f} req/s over the whole run; {span:.2f} s traced, ~{requests:.0f} requests")
for task, ms in run.most_common(5):
    print(f"  {task:18s} {ms:7.1f} ms  switched in {switches[task] / requests:.2f}× per request  mean run {ms / switches[task] * 1000:6.1f} µs")
print(f"  idle {sum(idle):.1f} ms ({sum(idle) / span / 20:.1f}% of 2 cores), in periods of 0.5 ms or more {sum(d for d in idle if d >= 0.5):.1f} ms")
' "$REQUESTS" "$TARGET"
