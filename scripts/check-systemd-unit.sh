#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Checks systemd/wxsidecar.service the way CI can, without systemd running as PID 1:
#   1. `systemd-analyze verify --man=no` on a copy whose ExecStart names a built binary ($BINARY, else the
#      debug build): verify insists that the command exists and is executable. Any output fails the check.
#   2. `systemd-analyze security --offline=yes`: the overall exposure must be at most $MAX_EXPOSURE (1.5).
#   3. systemd-sysusers parses systemd/wxsidecar.sysusers (into a scratch root).
# Installs Debian's systemd package first when systemd-analyze is missing. (ExecReload names the daemon itself,
# `wxsidecar reload`, so the check needs no /bin/kill; `make check-boot` runs the unit where there is none.)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
MAX_EXPOSURE="${MAX_EXPOSURE:-1.5}"
unit="$root/systemd/wxsidecar.service"

need=()
command -v systemd-analyze >/dev/null || need+=(systemd)
if ((${#need[@]})); then
  echo "check-systemd-unit: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

BINARY="${BINARY:-$(cd "$root" && swift build --show-bin-path)/wxsidecar}"
[ -x "$BINARY" ] || { echo "check-systemd-unit: no executable at $BINARY (build first)" >&2; exit 1; }
BINARY="$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
sed "s|/usr/local/bin/wxsidecar|$BINARY|g" "$unit" >"$scratch/wxsidecar.service"

# 1. verify: clean means exit 0 and nothing printed.
if ! output="$(cd "$scratch" && systemd-analyze verify --man=no "$scratch/wxsidecar.service" 2>&1)" || [ -n "$output" ]; then
  echo "check-systemd-unit: systemd-analyze verify is not clean:" >&2
  echo "$output" >&2
  exit 1
fi

# 2. security score.
report="$(systemd-analyze security --offline=yes "$scratch/wxsidecar.service" 2>&1)"
score="$(sed -n 's/.*Overall exposure level for wxsidecar.service: \([0-9.]*\) .*/\1/p' <<<"$report")"
if [ -z "$score" ]; then
  echo "check-systemd-unit: no exposure level in the security report:" >&2
  echo "$report" >&2
  exit 1
fi
if ! awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
  echo "check-systemd-unit: exposure $score is above $MAX_EXPOSURE:" >&2
  grep '✗' <<<"$report" >&2 || true
  exit 1
fi

# 3. sysusers.
mkdir -p "$scratch/root/etc"
systemd-sysusers --root="$scratch/root" "$root/systemd/wxsidecar.sysusers" >/dev/null 2>&1
grep -q '^wxsidecar:' "$scratch/root/etc/passwd" || { echo "check-systemd-unit: sysusers did not create wxsidecar" >&2; exit 1; }

echo "check-systemd-unit: verify clean; security exposure $score (limit $MAX_EXPOSURE) — $(systemd-analyze --version | head -1)"
