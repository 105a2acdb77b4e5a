#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Packages an installed tree: `package.sh tar` or `package.sh deb`, with BINARY naming the executable
# (built with --static-swift-stdlib, so the host needs only libcurl). Output goes to $OUT (.build/dist).
#   tar: wxsidecar-VERSION-linux-ARCH.tar.gz, the /usr/local layout of `make install`, to untar at /.
#   deb: wxsidecar_VERSION_ARCH.deb, the /usr layout; /etc/wxsidecar files are conffiles. An upgrade restarts
#        a running daemon, removal stops it, purge removes /etc/wxsidecar.
# DEB_COMPRESS: dpkg-deb compression options (default: dpkg's, xz, about 90 s on 2 cores; make check-boot,
# which only installs the package, passes "-Zgzip -z1", 2 s).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
kind="${1:?usage: package.sh tar|deb}"
OUT="${OUT:-$root/.build/dist}"
version="$(sed -n 's/.*current = "\(.*\)".*/\1/p' "$root/Sources/Sidecar/App/SidecarVersion.swift")"
stage="$(mktemp -d)"
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$OUT"

case "$kind" in
  tar)
    DESTDIR="$stage" PREFIX=/usr/local "$root/scripts/install.sh" install 2>/dev/null
    archive="$OUT/wxsidecar-$version-linux-$(uname -m).tar.gz"
    tar -C "$stage" --owner=0 --group=0 -czf "$archive" .
    echo "$archive"
    ;;
  deb)
    arch="$(dpkg --print-architecture)"
    DESTDIR="$stage" PREFIX=/usr "$root/scripts/install.sh" install 2>/dev/null
    mkdir -p "$stage/DEBIAN"
    cat >"$stage/DEBIAN/control" <<EOF
Package: wxsidecar
Version: $version
Architecture: $arch
Maintainer: wxsidecar maintainers <root@localhost>
Depends: libcurl4, libxml2, ca-certificates, systemd
Section: net
Priority: optional
Description: WeChat access_token keeper and API proxy
 Keeps a WeChat access_token fresh in /run/wxsidecar and proxies whitelisted
 api.weixin.qq.com paths over plain HTTP on 127.0.0.1:8098.
EOF
    printf '/etc/wxsidecar/wxsidecar.yaml\n/etc/wxsidecar/whitelist.txt\n' >"$stage/DEBIAN/conffiles"
    # postinst: the user; an upgrade restarts a running daemon on the new binary (the token file stays in place,
    # RuntimeDirectoryPreserve=restart). prerm: removal stops it. postrm purge: dpkg has removed the conffiles by
    # then; the AppSecret the operator put beside them goes too, and the folder with it.
    cat >"$stage/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
systemd-sysusers wxsidecar.conf || true
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
  if [ "$1" = configure ] && [ -n "$2" ]; then
    systemctl try-restart wxsidecar.service || true
  fi
fi
EOF
    cat >"$stage/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop wxsidecar.service || true
fi
EOF
    cat >"$stage/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  rm -f /etc/wxsidecar/appsecret
  rmdir /etc/wxsidecar 2>/dev/null || true
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
fi
EOF
    chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"
    package="$OUT/wxsidecar_${version}_$arch.deb"
    # shellcheck disable=SC2086 # DEB_COMPRESS holds options
    dpkg-deb --root-owner-group ${DEB_COMPRESS:-} --build "$stage" "$package" >/dev/null
    echo "$package"
    ;;
  *) echo "usage: package.sh tar|deb" >&2; exit 2 ;;
esac
