#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# `make check-boot`: the .deb installed in a minimal Debian 12 and its unit run by a real systemd (PID 1 of a
# systemd-nspawn container on the host network), then scripts/check-boot-probe.sh checks inside it what an
# operator relies on (readiness, credentials, the token file, reload, restart, watchdog, stop, the journal,
# app access, the exposure score, upgrade and purge). Needs root. Usage:
#
#   scripts/check-boot.sh [PACKAGE.deb]     without an argument, `make deb` builds one into $BOOT_SCRATCH
#
#   BOOT_SCRATCH      scratch folder: the release build, the .deb, the container root (.build-boot)
#   CHECK_BOOT_CACHE  where the debootstrapped root is kept across clones (/var/cache/wxsidecar-check-boot);
#                     a hard link to it is kept in $BOOT_SCRATCH/cache too. Delete both to rebuild it.
#   CHECK_BOOT_MIRROR Debian mirror for debootstrap (http://deb.debian.org/debian)
#   CHECK_BOOT_KEEP=1 keep the container root and logs after the run (for debugging)
#
# The emulator (the release binary's `wxsidecar emulate`, over TLS with a throwaway CA) runs on the host's
# 127.0.0.1; the container shares the host network, so the daemon inside reaches it there. Everything started
# here is stopped by the EXIT trap, on failure too. A kernel that refuses the namespaces a container needs
# makes this a skip (exit 0, "SKIP"), never a pass.
set -euo pipefail
trap 'exit 130' INT TERM   # so the EXIT traps below clean up on Ctrl-C or a kill too

root="$(cd "$(dirname "$0")/.." && pwd)"
BOOT_SCRATCH="$(cd "$root" && mkdir -p "${BOOT_SCRATCH:-.build-boot}" && cd "${BOOT_SCRATCH:-.build-boot}" && pwd)"
CHECK_BOOT_CACHE="${CHECK_BOOT_CACHE:-/var/cache/wxsidecar-check-boot}"
CHECK_BOOT_MIRROR="${CHECK_BOOT_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
# In the cached root: what the package depends on, systemd to boot, curl for the probe. Not procps: the unit
# must not need /bin/kill.
BASE_PACKAGES="systemd,dbus,libcurl4,libxml2,ca-certificates,curl"
BASE_RECIPE=1   # bump when the way the root is made changes

say() { echo "check-boot: $*" >&2; }
started=$SECONDS

[ "$(id -u)" -eq 0 ] || { say "needs root (debootstrap, dpkg inside the root, systemd-nspawn)"; exit 1; }

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
command -v openssl >/dev/null || need+=(openssl)
command -v python3 >/dev/null || need+=(python3)
command -v nsenter >/dev/null || need+=(util-linux)
command -v dpkg-deb >/dev/null || need+=(dpkg)
if ((${#need[@]})); then
  say "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Skip only where the kernel refuses what a container is made of; anything else that fails is a failure.
if ! unshare --fork --pid --mount --uts --ipc --net --mount-proc true 2>"$BOOT_SCRATCH/unshare.err"; then
  say "SKIP: this kernel refuses the namespaces a container needs ($(head -c 200 "$BOOT_SCRATCH/unshare.err"))"
  exit 0
fi

# ---- the package -------------------------------------------------------------------------------------------
if [ $# -ge 1 ]; then
  deb="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  say "building the .deb (make deb SCRATCH_PATH=$BOOT_SCRATCH)"
  DEB_COMPRESS="-Zgzip -z1" make --no-print-directory -C "$root" deb SCRATCH_PATH="$BOOT_SCRATCH" DIST_DIR="$BOOT_SCRATCH/dist" \
    >"$BOOT_SCRATCH/deb.log" 2>&1 \
    || { tail -n 40 "$BOOT_SCRATCH/deb.log" >&2; say "make deb failed"; exit 1; }
  deb="$(tail -n 1 "$BOOT_SCRATCH/deb.log")"
fi
[ -f "$deb" ] || { say "no package at '$deb'"; exit 1; }
binary="$(cd "$root" && swift build -c release --scratch-path "$BOOT_SCRATCH" --show-bin-path)/wxsidecar"
[ -x "$binary" ] || { say "no release binary at $binary (the emulator runs from it)"; exit 1; }
say "package $(basename "$deb") ready after $((SECONDS - started)) s"

# ---- the Debian root, cached ---------------------------------------------------------------------------------
key="$(printf '%s %s %s %s' "$SUITE" "$BASE_PACKAGES" "$BASE_RECIPE" "$(dpkg --print-architecture)" | sha256sum | cut -c1-12)"
tarball="debian-$SUITE-minbase-$key.tar"
mkdir -p "$CHECK_BOOT_CACHE" "$BOOT_SCRATCH/cache"
exec 9>"$CHECK_BOOT_CACHE/.lock"
flock 9   # one builder of the cache at a time; readers wait for it
if [ ! -f "$BOOT_SCRATCH/cache/$tarball" ] && [ -f "$CHECK_BOOT_CACHE/$tarball" ]; then
  ln -f "$CHECK_BOOT_CACHE/$tarball" "$BOOT_SCRATCH/cache/$tarball" 2>/dev/null \
    || cp "$CHECK_BOOT_CACHE/$tarball" "$BOOT_SCRATCH/cache/$tarball"
fi
if [ ! -f "$BOOT_SCRATCH/cache/$tarball" ]; then
  say "cold cache: debootstrap --variant=minbase $SUITE (+ $BASE_PACKAGES) from $CHECK_BOOT_MIRROR, a few minutes"
  fresh="$(mktemp -d "$CHECK_BOOT_CACHE/build.XXXXXX")"
  trap 'rm -rf "$fresh"' EXIT
  if ! debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$fresh/root" "$CHECK_BOOT_MIRROR" \
    >"$BOOT_SCRATCH/debootstrap.log" 2>&1; then
    tail -n 30 "$BOOT_SCRATCH/debootstrap.log" >&2
    rm -rf "$fresh"
    say "debootstrap failed (log: $BOOT_SCRATCH/debootstrap.log)"
    exit 1
  fi
  chroot "$fresh/root" apt-get clean
  tar -C "$fresh/root" -cf "$fresh/$tarball" .
  mv "$fresh/$tarball" "$CHECK_BOOT_CACHE/$tarball"
  rm -rf "$fresh"
  trap - EXIT
  ln -f "$CHECK_BOOT_CACHE/$tarball" "$BOOT_SCRATCH/cache/$tarball" 2>/dev/null \
    || cp "$CHECK_BOOT_CACHE/$tarball" "$BOOT_SCRATCH/cache/$tarball"
  say "cached the root as $CHECK_BOOT_CACHE/$tarball after $((SECONDS - started)) s"
fi
exec 9>&-

# ---- one run: a fresh root, TLS material, the emulator, the container --------------------------------------
work="$(mktemp -d "$BOOT_SCRATCH/run.XXXXXX")"
machine="wxsidecar-boot-$$"
nspawn_pid=""
emulator_pid=""
cleanup() {
  local status=$? stopping=$SECONDS
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid" 2>/dev/null || true   # nspawn asks the container's systemd to power off
    for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  if [ -n "$emulator_pid" ]; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  if [ "${CHECK_BOOT_KEEP:-0}" = 1 ]; then
    say "kept $work (container root, logs)"
  else
    rm -rf "$work"
  fi
  say "container, emulator and files gone in $((SECONDS - stopping)) s; $((SECONDS - started)) s in all"
  exit "$status"
}
trap cleanup EXIT

mkdir -p "$work/root" "$work/probe"
tar -C "$work/root" -xf "$BOOT_SCRATCH/cache/$tarball"

# Probe inputs, bind-mounted read-only at /probe: the package, an upgrade of it, the CA, the probe script.
cp "$deb" "$work/probe/wxsidecar.deb"
version="$(dpkg-deb -f "$deb" Version)"
dpkg-deb -R "$deb" "$work/upgrade"
sed -i "s/^Version: .*/Version: $version+boot1/" "$work/upgrade/DEBIAN/control"
dpkg-deb --root-owner-group -Znone -b "$work/upgrade" "$work/probe/wxsidecar-upgrade.deb" >/dev/null
rm -rf "$work/upgrade"
cp "$root/scripts/check-boot-probe.sh" "$work/probe/probe.sh"

tls="$work/tls"
mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=wxsidecar-check-boot-ca \
  -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
  -extfile "$tls/san.ext" -out "$tls/server.pem" 2>/dev/null
cp "$tls/ca.pem" "$work/probe/emulator-ca.pem"

"$binary" emulate --listen 127.0.0.1:0 --tls-cert "$tls/server.pem" --tls-key "$tls/server.key" \
  >"$work/emulator.log" 2>&1 &
emulator_pid=$!
emulator_port=""
for _ in $(seq 1 100); do
  emulator_port="$(sed -n 's/.*server\.port=\([0-9]*\).*/\1/p' "$work/emulator.log" | head -n 1)"
  [ -n "$emulator_port" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$emulator_port" ] || { cat "$work/emulator.log" >&2; say "the emulator did not start"; exit 1; }
sidecar_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
say "emulator on https://127.0.0.1:$emulator_port; the daemon will listen on 127.0.0.1:$sidecar_port"

systemd-nspawn -D "$work/root" -b -M "$machine" --register=no --keep-unit --console=passive \
  --bind-ro="$work/probe:/probe" >"$work/nspawn.log" 2>&1 </dev/null &
nspawn_pid=$!
# The container's PID 1 is nspawn's child once it has exec'd systemd; only then are its namespaces complete.
init_pid=""
for _ in $(seq 1 300); do
  for child in $(cat "/proc/$nspawn_pid/task/$nspawn_pid/children" 2>/dev/null); do
    [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] && init_pid="$child"
  done
  [ -n "$init_pid" ] && break
  kill -0 "$nspawn_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$init_pid" ]; then
  cat "$work/nspawn.log" >&2
  say "systemd-nspawn did not start systemd in the container"
  exit 1
fi
enter=(nsenter -t "$init_pid" -a /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
# is-system-running answers "offline" until the manager listens; --wait then waits for the boot to finish.
state=""
for _ in $(seq 1 90); do
  state="$(timeout 90 "${enter[@]}" systemctl is-system-running --wait 2>/dev/null || true)"
  case "$state" in running | degraded) break ;; esac
  kill -0 "$nspawn_pid" 2>/dev/null || break
  sleep 1
done
if [ "$state" != running ] && [ "$state" != degraded ]; then
  tail -n 40 "$work/nspawn.log" >&2
  say "the container's systemd did not finish booting (state: '${state:-none}')"
  exit 1
fi
say "container booted ($("${enter[@]}" systemctl --version | head -n 1), state $state) after $((SECONDS - started)) s"
[ "$state" = running ] || "${enter[@]}" systemctl --failed --no-pager >&2 || true

probe_status=0
timeout 600 "${enter[@]}" EMULATOR_PORT="$emulator_port" SIDECAR_PORT="$sidecar_port" \
  MAX_EXPOSURE="${MAX_EXPOSURE:-1.5}" /bin/bash /probe/probe.sh || probe_status=$?
if [ "$probe_status" -ne 0 ]; then
  say "the emulator's log:"
  tail -n 20 "$work/emulator.log" >&2
  say "FAILED after $((SECONDS - started)) s"
  exit 1
fi
say "passed after $((SECONDS - started)) s"
