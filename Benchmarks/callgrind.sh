#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Instructions per proxied request, counted by valgrind's callgrind: repeatable for the same binary and inputs,
# whatever else the machine is doing (wall-clock numbers are not). Uses the files a `make bench` run left in
# $BENCH_DIR (upstream config, certificate, sidecar config), starts the upstream, runs the sidecar under callgrind,
# sends WARMUP requests, zeroes the counters, sends REQUESTS requests one after another on one keep-alive
# connection, dumps, and prints instructions per request (total and per thread).
#
#   Benchmarks/callgrind.sh [BINARY] [SIZE]      SIZE: 1k (default), 100k or 2m
#   REQUESTS=2000 WARMUP=300 BENCH_DIR=.build-bench
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${BENCH_DIR:-$ROOT/.build-bench}"
BIN="${1:-$ROOT/.build-release/release/wxsidecar}"
SIZE="${2:-1k}"
REQUESTS="${REQUESTS:-2000}"
WARMUP="${WARMUP:-300}"
OUT="$DIR/callgrind"
[ -f "$DIR/upstream.conf" ] || { echo "callgrind: run Benchmarks/bench.sh first (no $DIR/upstream.conf)" >&2; exit 1; }
command -v valgrind >/dev/null || "$ROOT/scripts/setup.sh" valgrind
command -v callgrind_control >/dev/null || { echo "callgrind: callgrind_control missing" >&2; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"

SIDECAR_PID=""
cleanup() {
  [ -n "$SIDECAR_PID" ] && kill "$SIDECAR_PID" 2>/dev/null && wait "$SIDECAR_PID" 2>/dev/null
  [ -f "$DIR/upstream.pid" ] && kill "$(cat "$DIR/upstream.pid")" 2>/dev/null
  return 0
}
trap cleanup EXIT INT TERM

nginx -p "$DIR" -c "$DIR/upstream.conf" -e "$DIR/upstream.error.log"
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out.%p" --separate-threads=yes \
  "$BIN" run --config "$DIR/wxsidecar.yaml" >"$OUT/sidecar.log" 2>&1 &
SIDECAR_PID=$!
PORT="$(sed -n 's/^listen: "127.0.0.1:\([0-9]*\)"/\1/p' "$DIR/wxsidecar.yaml")"
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done

python3 - "$PORT" "$SIZE" "$WARMUP" "$REQUESTS" "$SIDECAR_PID" <<'EOF'
import http.client, subprocess, sys
port, size, warmup, requests, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
path = {"1k": "/wxa/msg_sec_check", "100k": "/wxa/getwxacode?s=100k", "2m": "/wxa/getwxacode?s=2m"}[size]
body = b'{"version":2,"openid":"OPENID","scene":1,"content":"hello world"}' if size == "1k" \
    else b'{"path":"pages/index?from=bench","width":430}'
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
def send(n):
    for _ in range(n):
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
send(warmup)
subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
send(requests)
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
EOF

python3 - "$OUT" "$REQUESTS" <<'EOF'
import glob, os, re, sys
out, requests = sys.argv[1], int(sys.argv[2])
threads = {}
for path in glob.glob(os.path.join(out, "callgrind.out.*")):
    if not re.search(r"\.\d+$", path) and "-" not in os.path.basename(path):
        pass
    text = open(path, errors="replace").read()
    if "part:" not in text.split("\n\n", 1)[0] and not re.search(r"\.\d+-\d+$", path):
        continue  # only the dump taken after zeroing
    summary = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
    thread = re.search(r"^thread:\s+(\d+)", text, re.M)
    if summary:
        threads[int(thread.group(1)) if thread else 0] = int(summary.group(1))
total = sum(threads.values())
print("instructions per request: %.0f  (%d requests; per thread: %s)" % (
    total / requests, requests, ", ".join("%d: %.0f" % (t, n / requests) for t, n in sorted(threads.items()))))
EOF
