#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# The sidecar's CPU profile under load: `perf record -e cpu-clock -g` on the sidecar for 8 s of a 20 s wrk run
# (1 KB, c=64; hardware counters are not available in this VM), then the top symbols by self samples and the
# share of each thread. Leaves the data in .build-bench/profile.data.
#
#   Benchmarks/probes/profile.sh [TOP]      BIN=path/to/wxsidecar overrides the shipped static build
set -euo pipefail
TOP="${1:-10}"
source "$(dirname "$0")/common.sh"
"$ROOT/scripts/setup.sh" linux-perf >/dev/null
start_upstream
start_sidecar
wrk -t2 -c64 -d20s -s "$SCRIPT" "$SIDECAR_URL" >"$D/probe.wrk" &
W=$!
sleep 4
perf record -e cpu-clock -g -p "$SIDECAR" -o "$D/profile.data" -- sleep 8 >/dev/null 2>&1
wait $W
echo "$(grep -o '"requests":[0-9]*' "$D/probe.wrk" | cut -d: -f2) requests in 20 s"
report() { perf report -i "$D/profile.data" --no-children --sort "$1" --stdio 2>/dev/null | grep -E '^ +[0-9]' | sed 's/ *-* *-* *$//'; }
report symbol | head -n "$TOP"
report comm
