#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Packages an installed tree: `package.sh tar` or `package.sh deb`, with BINARY naming the executable
# (built with --static-swift-stdlib, so the host needs only libcurl). Output goes to $OUT (.build/dist).
#   tar: wxsidecar-VERSION-linux-ARCH.tar.gz, the /usr/local layout of `make install`, to untar at /.
#   deb: wxsidecar_VERSION_ARCH.deb, the /usr layout; /etc/wxsidecar files are conffiles.
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
Depends: libcurl4, ca-certificates, systemd
Section: net
Priority: optional
Description: WeChat access_token keeper and API proxy
 Keeps a WeChat access_token fresh in /run/wxsidecar and proxies whitelisted
 api.weixin.qq.com paths over plain HTTP on 127.0.0.1:8098.
EOF
    printf '/etc/wxsidecar/wxsidecar.yaml\n/etc/wxsidecar/whitelist.txt\n' >"$stage/DEBIAN/conffiles"
    cat >"$stage/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
systemd-sysusers wxsidecar.conf || true
[ -d /run/systemd/system ] && systemctl daemon-reload || true
EOF
    cat >"$stage/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
[ -d /run/systemd/system ] && systemctl daemon-reload || true
EOF
    chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
    package="$OUT/wxsidecar_${version}_$arch.deb"
    dpkg-deb --root-owner-group --build "$stage" "$package" >/dev/null
    echo "$package"
    ;;
  *) echo "usage: package.sh tar|deb" >&2; exit 2 ;;
esac
