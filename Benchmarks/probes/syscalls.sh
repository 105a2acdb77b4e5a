#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# The system calls per 1 KB call at c=64, per thread: `perf trace -s` over 3 s of a wrk run against the sidecar or
# the peer (tracing slows the run it watches: compare calls per request, not times). Divide each count by the
# requests wrk made in those 3 s (about 3/8 of the total printed). Uses .build-bench as cpu-budget.sh does.
#
#   Benchmarks/probes/syscalls.sh sidecar|peer     BIN=path/to/wxsidecar overrides the shipped static build
set -euo pipefail
TARGET="${1:?sidecar or peer}"
source "$(dirname "$0")/common.sh"
start_upstream
if [ "$TARGET" = sidecar ]; then start_sidecar; URL=$SIDECAR_URL; P=$SIDECAR; else start_peer; URL=$PEER_URL; P=$(cat "$D/peer.pid"); fi
wrk -t2 -c64 -d8s -s "$SCRIPT" "$URL" >"$D/probe.wrk" &
WRK=$!
sleep 2
if [ "$TARGET" = peer ]; then THREADS=$(pgrep -d, -P "$P"); else THREADS=$(ls "/proc/$P/task" | paste -sd,); fi
timeout -s INT 3 perf trace -s -t "$THREADS" -o "$D/syscalls-$TARGET.txt" >/dev/null 2>&1 || true
wait $WRK
echo "$(grep -o '"requests":[0-9]*' "$D/probe.wrk" | cut -d: -f2) requests in 8 s; system calls over 3 s of them:"
grep -v '^$' "$D/syscalls-$TARGET.txt"
