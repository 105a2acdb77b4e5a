#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# User-space instructions per 1 KB call of one sidecar build, one caller at a time, under valgrind's callgrind:
# `make bench`'s instruction phase for the sidecar alone, to compare two builds in a minute each. Prints the count
# per call and the top self costs; leaves the dump in .build-bench/callgrind-probe/.
#
#   Benchmarks/probes/instructions.sh [TOP]     BIN=path/to/wxsidecar overrides the shipped static build
set -euo pipefail
TOP="${1:-25}"
source "$(dirname "$0")/common.sh"
OUT="$D/callgrind-probe"
rm -rf "$OUT" && mkdir -p "$OUT"
objcopy --strip-debug "$BIN" "$OUT/wxsidecar"
probe_config "$OUT/level.yaml"
sed "s|$D/token|$OUT/token|" "$OUT/level.yaml" >"$OUT/wxsidecar.yaml"
start_upstream
valgrind --tool=callgrind --callgrind-out-file="$OUT/sidecar.%p.out" \
  "$OUT/wxsidecar" run --config "$OUT/wxsidecar.yaml" >"$OUT/sidecar.log" 2>&1 &
SIDECAR=$!
for _ in $(seq 600); do
  curl -sf --max-time 5 -X POST -d "$BENCH_REQUEST_BODY" "$SIDECAR_URL" >/dev/null 2>&1 && break
  sleep 0.1
done
wrk -t1 -c1 -d2s -s "$SCRIPT" "$SIDECAR_URL" >/dev/null
callgrind_control -z "$SIDECAR" >/dev/null
wrk -t1 -c1 -d8s -s "$SCRIPT" "$SIDECAR_URL" >"$OUT/wrk.out"
callgrind_control -d "$SIDECAR" >/dev/null
dump="$OUT/sidecar.$SIDECAR.out.1"
requests=$(grep -o '"requests":[0-9]*' "$OUT/wrk.out" | cut -d: -f2)
errors=$(grep -o '"errors":[0-9]*' "$OUT/wrk.out" | cut -d: -f2)
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
echo "requests $requests, errors $errors, instructions per call $((total / requests))"
callgrind_annotate --threshold=100 "$dump" 2>/dev/null | sed -n '/file:function/,$p' | head -n $((TOP + 2)) |
  awk -v n="$requests" 'NR>2 && $1 ~ /[0-9]/ {c=$1; gsub(",","",c); printf "%8.0f  %s\n", c/n, substr($0, index($0,$3))}'
