#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Where the machine's two cores go per 1 KB call at c=64, for the sidecar and for the nginx + lua peer: the proxy's
# own CPU, the upstream nginx's, wrk's, and the time both cores sat idle (from /proc/stat), each per request.
# Uses the configuration a previous `make bench` rendered into .build-bench (certificates, nginx configs, the
# sidecar's YAML); starts and stops its own upstream, sidecar and peer.
#
#   Benchmarks/probes/cpu-budget.sh [ROUNDS]       BIN=path/to/wxsidecar overrides the shipped static build
#
# LOOP_PROXY=N also measures loop-proxy.c with N workers (each worker reads requests and drives its own libcurl
# multi handle from one epoll loop, as the peer's workers do with nginx's upstream module): the peer's shape on
# libcurl, with nothing of the sidecar's own work. LOOP_PROXY=handoff measures it built the sidecar's way instead
# (one thread for callers, one for libcurl, every call handed across both ways).
set -euo pipefail
ROUNDS="${1:-1}"
source "$(dirname "$0")/common.sh"
start_upstream
start_sidecar
start_peer
LOOP=""
if [ -n "${LOOP_PROXY:-}" ]; then
  cc -O2 -o "$D/loop-proxy" "$ROOT/Benchmarks/probes/loop-proxy.c" $(pkg-config --cflags --libs libcurl) -lpthread
  token="$(cat "$D/token/cloudbase_access_token")"
  if [ "$LOOP_PROXY" = handoff ]; then shape=(1 handoff); else shape=("$LOOP_PROXY"); fi
  "$D/loop-proxy" 18097 "https://127.0.0.1:18443/wxa/msg_sec_check?access_token=$token" "$D/cert.pem" "${shape[@]}" &
  LOOP=$!
  trap 'kill $LOOP; stop_all' EXIT
fi
sleep 0.5

ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
idle() { awk '/^cpu /{print $5 + $6}' /proc/stat; }
children() { pgrep -P "$(cat "$1")" | tr '\n' ' '; }

measure() {  # name url pids...
  local name="$1" url="$2"; shift 2
  wrk -t2 -c64 -d2s -s "$SCRIPT" "$url" >/dev/null
  local upstream; upstream="$(children "$D/upstream.pid")"
  local i0 p0 u0; i0=$(idle); p0=$(ticks "$@"); u0=$(ticks $upstream)
  wrk -t2 -c64 -d8s -s "$SCRIPT" "$url" >"$D/probe.wrk" &
  local w=$!; sleep 0.2; local w0; w0=$(ticks $w)
  sleep 7.5; local w1; w1=$(ticks $w); wait $w
  local i1 p1 u1; i1=$(idle); p1=$(ticks "$@"); u1=$(ticks $upstream)
  local requests; requests=$(grep -o '"requests":[0-9]*' "$D/probe.wrk" | cut -d: -f2)
  python3 - "$name" "$requests" $((p1 - p0)) $((u1 - u0)) $((w1 - w0)) $((i1 - i0)) "$(getconf CLK_TCK)" <<'PY'
import sys
name, requests, proxy, upstream, wrk, idle, hz = sys.argv[1], *map(int, sys.argv[2:])
us = lambda ticks, n=requests: ticks * 1e6 / hz / n
print(f"{name:8s} {requests / 8:8.0f} req/s  µs per request: proxy {us(proxy):5.1f}  upstream {us(upstream):5.1f}  "
      f"wrk {us(wrk, requests * 7.5 / 8):5.1f}  idle {us(idle):5.1f} ({idle / hz / 8 / 2 * 100:.0f}% of 2 cores)")
PY
}
for _ in $(seq "$ROUNDS"); do
  measure sidecar "$SIDECAR_URL" "$SIDECAR"
  measure peer "$PEER_URL" $(cat "$D/peer.pid") $(children "$D/peer.pid")
  [ -z "$LOOP" ] || measure "loop-proxy" http://127.0.0.1:18097/wxa/msg_sec_check "$LOOP"
done
