#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# `make bench`: wxsidecar against the nginx + lua peer, over an nginx HTTPS upstream, all on loopback.
#
#   upstream  nginx, HTTPS on 127.0.0.1:$UPSTREAM_PORT, keep-alive, fixed answers (1 KB msg_sec_check JSON,
#             100 KB and 2 MB getwxacode images, a fixed stable_token answer); stub_status on a plain port
#   sidecar   the release wxsidecar on 127.0.0.1:$SIDECAR_PORT, log.level warning, whitelist of the two APIs
#   peer      nginx + lua on 127.0.0.1:$PEER_PORT, reading the token file the sidecar writes
#   direct    wrk straight at the upstream, token in the query
#
# wrk runs with identical settings against each target (one thread below c=2, else two; the same script and
# body), interleaved per (body, concurrency) so drift hits all three alike. Every load is on loopback, bounded by
# wrk's -d, and stops by itself. Results: $BENCH_DIR/results.jsonl and $BENCH_DIR/table.md.
#
# Environment:
#   BENCH_QUICK=1         a short sweep (c = 1, 64, 256; 1 KB and 100 KB; 4 s runs; 200k-request soak)
#   BENCH_SECONDS=N       seconds per run (default 8; quick 4)
#   BENCH_CONCURRENCY     e.g. "1 64" (default "1 16 64 256 1024")
#   BENCH_SIZES           e.g. "1k" (default "1k 100k 2m")
#   BENCH_TARGETS         e.g. "sidecar peer" (default "direct sidecar peer")
#   BENCH_SOAK=N          requests in the RSS soak (default 1000000; 0 skips it)
#   BENCH_ACCESS_LOG=0    skip the run with access logs on
#   BENCH_FLOOR=0         skip the libcurl floor (Benchmarks/curl-floor/floor.c: libcurl alone, c=64, 1 KB)
#   BENCH_FRONT_FLOOR=0   skip the front floor (Benchmarks/front-floor: a bare SwiftNIO HTTP/1 server answering the
#                         1 KB JSON itself, c=64, alone and with a round trip through a second thread per request)
#   BENCH_HTTP2=1         the upstream also offers HTTP/2 (ALPN h2); the sidecar then multiplexes
#   BENCH_INSTRUCTIONS=0  skip the instruction counts (valgrind's callgrind, c=1, 1 KB: the libcurl floor, the front
#                         floor alone and with its hop, the sidecar; deterministic where the timings are not)
#   BENCH_BINARY=PATH     use this wxsidecar instead of building the release one
#   BENCH_DIR=PATH        working folder (default .build-bench, git-ignored)
#   BENCH_NICE=N          priority of the runs when root (default -10; 0 leaves it)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/Benchmarks"
DIR="${BENCH_DIR:-$ROOT/.build-bench}"
QUICK="${BENCH_QUICK:-0}"
if [ "$QUICK" = 1 ]; then
  SECONDS_PER_RUN="${BENCH_SECONDS:-4}"
  CONCURRENCY="${BENCH_CONCURRENCY:-1 64 256}"
  SIZES="${BENCH_SIZES:-1k 100k}"
  SOAK="${BENCH_SOAK:-200000}"
else
  SECONDS_PER_RUN="${BENCH_SECONDS:-8}"
  CONCURRENCY="${BENCH_CONCURRENCY:-1 16 64 256 1024}"
  SIZES="${BENCH_SIZES:-1k 100k 2m}"
  SOAK="${BENCH_SOAK:-1000000}"
fi
TARGETS="${BENCH_TARGETS:-direct sidecar peer}"
ACCESS_LOG="${BENCH_ACCESS_LOG:-1}"
FLOOR="${BENCH_FLOOR:-1}"
FRONT_FLOOR="${BENCH_FRONT_FLOOR:-1}"
INSTRUCTIONS="${BENCH_INSTRUCTIONS:-1}"
HTTP2="${BENCH_HTTP2:-0}"
UPSTREAM_PORT=18443
UPSTREAM_STATUS_PORT=18480
SIDECAR_PORT=18098
PEER_PORT=18099
FRONT_PORT=18097
COUNTED_PORT=18096
LIB=(python3 "$BENCH/benchlib.py")

say() { printf '\n== %s\n' "$*" >&2; }

# MARK: Install and build

say "installing nginx-extras (nginx + lua), wrk, openssl, python3 if missing"
extras=(nginx-extras wrk)
command -v python3 >/dev/null || extras+=(python3)
"$ROOT/scripts/setup.sh" "${extras[@]}"
[ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] || { echo "bench: nginx's lua module is missing" >&2; exit 1; }

if [ -n "${BENCH_BINARY:-}" ]; then
  BIN="$BENCH_BINARY"
else
  say "building the release wxsidecar (.build-release; the first build takes several minutes)"
  (cd "$ROOT" && swift build -c release --product wxsidecar --scratch-path .build-release 2>&1 | tail -3)
  BIN="$ROOT/.build-release/release/wxsidecar"
fi

# Everything from here on (nginx, the sidecar, wrk) runs at a raised priority when we may raise it, so other work
# on the machine (a build, another session) skews the figures less. BENCH_NICE=0 leaves the priority alone.
if [ "$(id -u)" -eq 0 ] && [ "${BENCH_NICE:--10}" != 0 ]; then renice -n "${BENCH_NICE:--10}" -p $$ >/dev/null; fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
if [ "$(ulimit -n)" -lt 4096 ]; then echo "bench: open-file limit $(ulimit -n) is too low for c=1024" >&2; exit 1; fi

# MARK: Files

rm -rf "$DIR"
mkdir -p "$DIR/tmp" "$DIR/payload" "$DIR/token"
RESULTS="$DIR/results.jsonl"
: >"$RESULTS"
"${LIB[@]}" payloads "$DIR/payload"
TOKEN="$(cat "$DIR/payload/token.txt")"
TOKEN_FILE="$DIR/token/cloudbase_access_token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$DIR/key.pem" -out "$DIR/cert.pem" 2>/dev/null

USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"
render() { "${LIB[@]}" render "$@" "DIR=$DIR" "BENCH=$BENCH" "TOKEN=$TOKEN" "TOKEN_FILE=$TOKEN_FILE" \
  "UPSTREAM_PORT=$UPSTREAM_PORT" "UPSTREAM_STATUS_PORT=$UPSTREAM_STATUS_PORT" "PEER_PORT=$PEER_PORT" \
  "USER_LINE=$USER_LINE" "NOFILE=$(ulimit -n)" "UPSTREAM_WORKERS=2" "PEER_WORKERS=2" "HTTP2=$([ "$HTTP2" = 1 ] && echo http2)"; }
render "$BENCH/nginx/upstream.conf.in" "$DIR/upstream.conf"
render "$BENCH/nginx/peer.conf.in" "$DIR/peer.conf"

printf '%s\n' '# wxsidecar benchmark whitelist' /wxa/msg_sec_check /wxa/getwxacode >"$DIR/whitelist.txt"
printf 'bench-secret\n' >"$DIR/appsecret"
chmod 600 "$DIR/appsecret"
sidecar_config() {  # $1 = log level
  cat >"$DIR/wxsidecar.yaml" <<EOF
# Generated by Benchmarks/bench.sh.
appid: "wxbench0123456789"
secret_file: "$DIR/appsecret"
listen: "127.0.0.1:$SIDECAR_PORT"
upstream:
  base_url: "https://127.0.0.1:$UPSTREAM_PORT"
  ca_file: "$DIR/cert.pem"
  timeout: 30
token:
  mode: "stable"
  file: "$TOKEN_FILE"
  file_mode: "0644"
whitelist:
  file: "$DIR/whitelist.txt"
log:
  level: "$1"
EOF
}

# MARK: Processes

SIDECAR_PID=""
FRONT_PID=""
cleanup() {
  [ -n "$SIDECAR_PID" ] && kill "$SIDECAR_PID" 2>/dev/null && wait "$SIDECAR_PID" 2>/dev/null
  [ -n "$FRONT_PID" ] && kill "$FRONT_PID" 2>/dev/null && wait "$FRONT_PID" 2>/dev/null
  for name in peer upstream; do
    [ -f "$DIR/$name.pid" ] && kill "$(cat "$DIR/$name.pid")" 2>/dev/null
  done
  return 0
}
trap cleanup EXIT INT TERM

wait_for() {  # $1 = what, then a command that succeeds once it is up
  local what="$1"; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bench: $what did not come up" >&2; exit 1
}

start_sidecar() {  # $1 = log level
  sidecar_config "$1"
  "$BIN" run --config "$DIR/wxsidecar.yaml" >>"$DIR/sidecar.log" 2>&1 &
  SIDECAR_PID=$!
  wait_for "wxsidecar" curl -sf "http://127.0.0.1:$SIDECAR_PORT/-/ready"
}

stop_sidecar() {
  kill "$SIDECAR_PID" && wait "$SIDECAR_PID" 2>/dev/null || true
  SIDECAR_PID=""
}

say "starting the upstream, the sidecar and the peer"
nginx -p "$DIR" -c "$DIR/upstream.conf" -e "$DIR/upstream.error.log"
wait_for "the upstream" curl -sf "http://127.0.0.1:$UPSTREAM_STATUS_PORT/status"
start_sidecar warning
wait_for "the token file" test -s "$TOKEN_FILE"
nginx -p "$DIR" -c "$DIR/peer.conf" -e "$DIR/peer.error.log"
wait_for "the peer" test -s "$DIR/peer.pid"

# MARK: Runs

url_path() {  # $1 = size
  case "$1" in
    1k) echo "/wxa/msg_sec_check" ;;
    100k) echo "/wxa/getwxacode?s=100k" ;;
    2m) echo "/wxa/getwxacode?s=2m" ;;
  esac
}
request_body() {
  case "$1" in
    1k) echo '{"version":2,"openid":"OPENID","scene":1,"content":"hello world"}' ;;
    *) echo '{"path":"pages/index?from=bench","width":430}' ;;
  esac
}
target_url() {  # $1 = target, $2 = size
  local path; path="$(url_path "$2")"
  case "$1" in
    direct)
      local sep="?"; [[ "$path" == *\?* ]] && sep="&"
      echo "https://127.0.0.1:$UPSTREAM_PORT$path${sep}access_token=$TOKEN" ;;
    sidecar) echo "http://127.0.0.1:$SIDECAR_PORT$path" ;;
    peer) echo "http://127.0.0.1:$PEER_PORT$path" ;;
    front-*) echo "http://127.0.0.1:$FRONT_PORT$path" ;;
  esac
}
target_pids() {
  case "$1" in
    sidecar) echo "$SIDECAR_PID" ;;
    peer) echo "$(cat "$DIR/peer.pid")+" ;;
    front-*) echo "$FRONT_PID" ;;
    *) echo "" ;;
  esac
}
run() {  # target size c seconds kind
  "${LIB[@]}" run target="$1" size="$2" c="$3" seconds="$4" kind="$5" url="$(target_url "$1" "$2")" \
    body="$(request_body "$2")" pids="$(target_pids "$1")" script="$BENCH/wrk/request.lua" \
    stub="http://127.0.0.1:$UPSTREAM_STATUS_PORT/status" results="$RESULTS"
}

# Each target answers correctly before any timing (the upstream answers 403 to a wrong token).
for target in $TARGETS; do
  for size in $SIZES; do
    code="$(curl -s -o /dev/null -w '%{http_code}' -k -X POST -d "$(request_body "$size")" "$(target_url "$target" "$size")")"
    [ "$code" = 200 ] || { echo "bench: $target $size answered HTTP $code" >&2; exit 1; }
  done
done

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
say "sweep: $SIZES × c=$CONCURRENCY × $TARGETS, ${SECONDS_PER_RUN}s each"
for size in $SIZES; do
  for target in $TARGETS; do run "$target" "$size" 64 2 warmup >/dev/null; done
  for c in $CONCURRENCY; do
    for target in $TARGETS; do run "$target" "$size" "$c" "$SECONDS_PER_RUN" sweep; done
  done
done

if [[ " $TARGETS " == *" sidecar "* ]]; then
  # Over the sidecar's whole life (warm-ups and every sweep run): connections opened per upstream transfer.
  curl -sf "http://127.0.0.1:$SIDECAR_PORT/-/status" | "${LIB[@]}" lifetime "$RESULTS"
fi

if [ "$FLOOR" = 1 ]; then
  # What libcurl alone costs per call, driven as the sidecar drives it but with nothing around it: a bound on
  # how far the sidecar's libcurl thread can go (Benchmarks/curl-floor/floor.c).
  say "libcurl floor: a C program POSTing the 1 KB call at c=64 through one multi handle"
  cc_bin="$(command -v clang || command -v cc || command -v gcc)"
  "$cc_bin" -O2 -o "$DIR/floor" "$BENCH/curl-floor/floor.c" $(pkg-config --cflags --libs libcurl)
  "$DIR/floor" "$(target_url direct 1k)" "$DIR/cert.pem" "$(request_body 1k)" 64 "$SECONDS_PER_RUN" \
    | sed 's/^{/{"kind":"floor","c":64,/' | tee -a "$RESULTS"
fi

if [ "$FRONT_FLOOR" = 1 ]; then
  # What a SwiftNIO HTTP/1 front alone costs per call (one event loop, NIO's server pipeline, the 1 KB answer
  # made on the spot, no upstream), and with each request sent to a second thread and back first: the front and
  # the two hand-offs every sidecar call makes around its libcurl thread (Benchmarks/front-floor).
  say "front floor: a bare SwiftNIO HTTP/1 server answering the 1 KB call itself, c=64, direct and with a hop"
  (cd "$BENCH/front-floor" && swift build -c release --static-swift-stdlib --scratch-path "$DIR/front-floor" 2>&1 | tail -1)
  for mode in direct hop; do
    "$DIR/front-floor/release/FrontFloor" "$FRONT_PORT" "$DIR/payload/msg_sec_check.json" "$mode" >"$DIR/front.log" 2>&1 &
    FRONT_PID=$!
    wait_for "the front floor" curl -sf -X POST -d x "http://127.0.0.1:$FRONT_PORT/wxa/msg_sec_check"
    run "front-$mode" 1k 64 2 warmup >/dev/null
    run "front-$mode" 1k 64 "$SECONDS_PER_RUN" front_floor
    kill "$FRONT_PID" && wait "$FRONT_PID" 2>/dev/null || true
    FRONT_PID=""
  done
fi

if [ "$INSTRUCTIONS" = 1 ]; then
  # User-space instructions per 1 KB call, one caller at a time, under callgrind: repeatable on this machine where
  # CPU time per call moves by a third between runs of the same binary. valgrind 3.19 cannot read the DWARF 5 of
  # Swift 6.3, so each program runs as a copy without debug sections (its symbols stay).
  say "instructions per 1 KB call at c=1 (callgrind): libcurl floor, front floor, sidecar"
  "$ROOT/scripts/setup.sh" valgrind binutils
  [ -x "$DIR/floor" ] || "$(command -v clang || command -v cc || command -v gcc)" -O2 -o "$DIR/floor" \
    "$BENCH/curl-floor/floor.c" $(pkg-config --cflags --libs libcurl)
  [ -x "$DIR/front-floor/release/FrontFloor" ] || (cd "$BENCH/front-floor" && \
    swift build -c release --static-swift-stdlib --scratch-path "$DIR/front-floor" 2>&1 | tail -1)
  mkdir -p "$DIR/callgrind"
  objcopy --strip-debug "$BIN" "$DIR/callgrind/wxsidecar"
  objcopy --strip-debug "$DIR/front-floor/release/FrontFloor" "$DIR/callgrind/FrontFloor"
  # The floor program counts its own transfers: two runs of different lengths, so start-up cancels out.
  for secs in 3 8; do
    valgrind --tool=callgrind --callgrind-out-file="$DIR/callgrind/floor.$secs.out" "$DIR/floor" \
      "$(target_url direct 1k)" "$DIR/cert.pem" "$(request_body 1k)" 1 "$secs" >"$DIR/callgrind/floor.$secs.json" \
      2>"$DIR/callgrind/floor.$secs.log"
  done
  "${LIB[@]}" instructions-floor "$DIR/callgrind" "$RESULTS"
  # A server is counted between two callgrind_control commands around a wrk run (after a warm-up).
  counted() {  # name url -- command...
    local name="$1" url="$2"; shift 3
    valgrind --tool=callgrind --callgrind-out-file="$DIR/callgrind/$name.%p.out" "$@" >"$DIR/callgrind/$name.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 600); do
      curl -sf --max-time 5 -X POST -d "$(request_body 1k)" "$url" >/dev/null 2>&1 && break
      sleep 0.1
    done
    BENCH_REQUEST_BODY="$(request_body 1k)" wrk -t1 -c1 -d2s -s "$BENCH/wrk/request.lua" "$url" >/dev/null
    callgrind_control -z "$pid" >/dev/null
    BENCH_REQUEST_BODY="$(request_body 1k)" wrk -t1 -c1 -d8s -s "$BENCH/wrk/request.lua" "$url" \
      >"$DIR/callgrind/$name.wrk"
    callgrind_control -d "$pid" >/dev/null
    kill "$pid" && wait "$pid" 2>/dev/null || true
    "${LIB[@]}" instructions-server "$name" "$DIR/callgrind/$name.wrk" "$DIR/callgrind/$name.$pid.out.1" "$RESULTS"
  }
  front_url="http://127.0.0.1:$FRONT_PORT/wxa/msg_sec_check"
  counted front-direct "$front_url" -- "$DIR/callgrind/FrontFloor" "$FRONT_PORT" "$DIR/payload/msg_sec_check.json" direct
  counted front-hop "$front_url" -- "$DIR/callgrind/FrontFloor" "$FRONT_PORT" "$DIR/payload/msg_sec_check.json" hop
  sidecar_config warning
  sed "s/127.0.0.1:$SIDECAR_PORT/127.0.0.1:$COUNTED_PORT/; s|$TOKEN_FILE|$DIR/callgrind/token|" \
    "$DIR/wxsidecar.yaml" >"$DIR/callgrind/wxsidecar.yaml"
  counted sidecar "http://127.0.0.1:$COUNTED_PORT/wxa/msg_sec_check" -- \
    "$DIR/callgrind/wxsidecar" run --config "$DIR/callgrind/wxsidecar.yaml"
fi

if [ "$SOAK" -gt 0 ] && [[ " $TARGETS " == *" sidecar "* ]]; then
  say "soak: $SOAK requests of 1 KB at c=64 through a fresh sidecar, RSS before and after"
  stop_sidecar
  start_sidecar warning
  run sidecar 1k 64 3 warmup >/dev/null
  "${LIB[@]}" soak total="$SOAK" target=sidecar size=1k c=64 seconds=10 url="$(target_url sidecar 1k)" \
    body="$(request_body 1k)" pids="$SIDECAR_PID" script="$BENCH/wrk/request.lua" \
    stub="http://127.0.0.1:$UPSTREAM_STATUS_PORT/status" results="$RESULTS"
fi

if [ "$ACCESS_LOG" = 1 ] && [[ " $TARGETS " == *" sidecar "* ]]; then
  say "one run with access logs on (log.level info, to a file)"
  stop_sidecar
  start_sidecar info
  run sidecar 1k 64 2 warmup >/dev/null
  run sidecar 1k 64 "$SECONDS_PER_RUN" access_log
fi

say "results: $RESULTS"
{
  echo "$("$BIN" version 2>/dev/null | head -1), $(nproc) cores, $(uname -sr), $(nginx -v 2>&1 | sed 's/^nginx version: //'),"\
    "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(curl-config --version 2>/dev/null || echo libcurl);"\
    "load average before the sweep $LOAD_START, after $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  "${LIB[@]}" report "$RESULTS"
} | tee "$DIR/table.md"
