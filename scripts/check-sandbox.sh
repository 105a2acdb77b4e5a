#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Proves the daemon runs under the unit's syscall sandbox without systemd: builds scripts/sandbox-exec.c
# (seccomp allow list = SystemCallFilter=@system-service minus @privileged and @resources, EPERM otherwise;
# NoNewPrivileges; MemoryDenyWriteExecute through PR_SET_MDWE), then runs the end-to-end notify and log
# tests with every `wxsidecar` child started through it (WXSIDECAR_BINARY points at a wrapper).
# Needs the test bundle built (swift build --build-tests); installs gcc and libseccomp-dev if missing.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin_path="${BIN_PATH:-$(cd "$root" && swift build --show-bin-path)}"
need=()
[ -e /usr/include/seccomp.h ] || need+=(libseccomp-dev)
command -v cc >/dev/null || need+=(gcc)
command -v systemd-analyze >/dev/null || need+=(systemd)
if ((${#need[@]})); then
  echo "check-sandbox: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cc -O2 -o "$scratch/sandbox-exec" "$root/scripts/sandbox-exec.c" -lseccomp

# The allow list: @system-service expanded, less @privileged and @resources (as the unit says).
expand() {
  systemd-analyze syscall-filter "$1" | tail -n +2 | sed 's/^ *//' | grep -v -e '^#' -e '^$' | while read -r entry; do
    case "$entry" in @*) expand "$entry" ;; *) echo "$entry" ;; esac
  done
}
expand @system-service | sort -u >"$scratch/service.txt"
{ expand @privileged; expand @resources; } | sort -u >"$scratch/denied.txt"
comm -23 "$scratch/service.txt" "$scratch/denied.txt" >"$scratch/allow.txt"

cat >"$scratch/wxsidecar" <<EOF
#!/bin/sh
exec "$scratch/sandbox-exec" "$scratch/allow.txt" "$bin_path/wxsidecar" "\$@"
EOF
chmod +x "$scratch/wxsidecar"

WXSIDECAR_BINARY="$scratch/wxsidecar" "$bin_path/wxsidecarPackageTests.xctest" --testing-library swift-testing \
  --filter "NotifyProtocolTests|daemonOutputIsJSONLines" >"$scratch/tests.txt" 2>&1 || { cat "$scratch/tests.txt" >&2; exit 1; }
tail -n 1 "$scratch/tests.txt"
echo "check-sandbox: wxsidecar ran the notify protocol and served requests under seccomp ($(wc -l <"$scratch/allow.txt") syscalls allowed) + NoNewPrivileges + MDWE"
