#!/usr/bin/env bash
set -euo pipefail
source "$(dirname "$0")/common.sh"
TARGET=$1
start_upstream
if [ "$TARGET" = sidecar ]; then start_sidecar; URL=$SIDECAR_URL; P=$SIDECAR; else start_peer; URL=$PEER_URL; P=$(cat $D/peer.pid); fi
wrk -t2 -c64 -d8s -s "$SCRIPT" "$URL" >"$D/probe.wrk" &
WRK=$!
sleep 2
if [ "$TARGET" = peer ]; then PIDS=$(pgrep -d, -P $P); else PIDS=$(ls /proc/$P/task | paste -sd,); fi
echo "PIDS=$PIDS"
timeout -s INT 3 perf trace -s -t "$PIDS" -o /tmp/trace-$TARGET.txt >/dev/null 2>/tmp/trace-$TARGET.err || true
wait $WRK
grep -o '"requests":[0-9]*' "$D/probe.wrk"
