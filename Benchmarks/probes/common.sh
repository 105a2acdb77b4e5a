# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Sourced by the probes: the folders, the build under test, and starting and stopping the bench's upstream, the
# sidecar and the peer from the configuration a previous `make bench` rendered into .build-bench.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
D="$ROOT/.build-bench"
BIN="${BIN:-$ROOT/.build-static/release/wxsidecar}"
SCRIPT="$ROOT/Benchmarks/wrk/request.lua"
SIDECAR_URL=http://127.0.0.1:18098/wxa/msg_sec_check
PEER_URL=http://127.0.0.1:18099/wxa/msg_sec_check
export BENCH_REQUEST_BODY='{"version":2,"openid":"OPENID","scene":1,"content":"hello world"}'
[ -f "$D/wxsidecar.yaml" ] || { echo "$(basename "$0"): run 'make bench' once first (it renders $D)" >&2; exit 1; }

SIDECAR=""
stop_all() {
  if [ -n "$SIDECAR" ]; then kill "$SIDECAR" 2>/dev/null; wait "$SIDECAR" 2>/dev/null; fi
  kill $(cat "$D/peer.pid" "$D/upstream.pid" 2>/dev/null) 2>/dev/null || true
}
trap stop_all EXIT

start_upstream() {
  pkill -f "nginx: master process nginx -p $D" 2>/dev/null || true
  nginx -p "$D" -c "$D/upstream.conf" -e "$D/upstream.error.log"
}
# The bench's configuration at the level its sweep uses (it leaves the one of its last run, with access logs on).
probe_config() {  # file
  sed 's/^  level: .*/  level: "warning"/' "$D/wxsidecar.yaml" >"$1"
}
start_sidecar() {
  probe_config "$D/probe.yaml"
  "$BIN" run --config "$D/probe.yaml" >>"$D/probe-sidecar.log" 2>&1 &
  SIDECAR=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18098/-/ready >/dev/null && return; sleep 0.1; done
  echo "$(basename "$0"): the sidecar did not come up (see $D/probe-sidecar.log)" >&2; exit 1
}
start_peer() {
  nginx -p "$D" -c "$D/peer.conf" -e "$D/peer.error.log"
  for _ in $(seq 100); do [ -s "$D/peer.pid" ] && return; sleep 0.1; done
  echo "$(basename "$0"): the peer did not come up" >&2; exit 1
}
