#!/usr/bin/env bash
# Installs what building and testing wxsidecar needs on a fresh Debian machine: libcurl's headers
# (the CCurl system library), pkg-config, the openssl CLI (tests generate a throwaway CA with it), and
# python3 (the soak driver).
set -euo pipefail

need=()
pkg-config --exists libcurl 2>/dev/null || need+=(libcurl4-openssl-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)   # scripts/soak.py
for extra in "$@"; do
  dpkg -s "$extra" >/dev/null 2>&1 || need+=("$extra")
done

if ((${#need[@]})); then
  echo "setup: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.1 or later is required)" >&2; exit 1; }
