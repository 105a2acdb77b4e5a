#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# What the hardening tests in Tests/ReliabilityTests run besides the daemon, installed and built on demand
# (the tests call this; it is quick once everything is there):
#   - stuckfs (scripts/stuckfs.c), a FUSE file system that can be made to stop answering: needs fuse3,
#     libfuse3-dev, gcc and pkg-config; built into OUTDIR/stuckfs.
#   - /usr/bin/python3 (Debian's), which an unprivileged user can run: the unix-socket probe runs as nobody.
#
#   scripts/test-tools.sh OUTDIR
#
# Apt runs under a lock, so tests running at the same time do not collide.
set -euo pipefail

out="${1:?usage: scripts/test-tools.sh OUTDIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"

exec 9>/tmp/wxsidecar-test-tools.lock
flock 9
need=()
[ -e /usr/include/fuse3/fuse.h ] || need+=(libfuse3-dev)
dpkg -s fuse3 >/dev/null 2>&1 || need+=(fuse3)
command -v cc >/dev/null || need+=(gcc)
command -v pkg-config >/dev/null || need+=(pkg-config)
[ -x /usr/bin/python3 ] || need+=(python3)
if ((${#need[@]})); then
  echo "test-tools: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
flock -u 9

# shellcheck disable=SC2046
cc -O2 -Wall -o "$out/stuckfs" "$root/scripts/stuckfs.c" $(pkg-config --cflags --libs fuse3)
[ -e /dev/fuse ] || { echo "test-tools: /dev/fuse is missing: FUSE cannot be mounted here" >&2; exit 1; }
echo "$out/stuckfs"
