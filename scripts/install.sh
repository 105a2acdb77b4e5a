#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Installs (or with --uninstall removes) wxsidecar on a systemd host. Called by `make install` and
# `make uninstall`; every path comes from the environment, with the Makefile's defaults:
#
#   BINARY      the wxsidecar executable to install (required for install)
#   DESTDIR     staging root, empty for the live system ("" by default)
#   PREFIX      /usr/local          BINDIR      $PREFIX/bin
#   SYSCONFDIR  /etc                UNITDIR     $PREFIX/lib/systemd/system
#   SYSUSERSDIR $PREFIX/lib/sysusers.d            DOCDIR  $PREFIX/share/doc/wxsidecar
#   BASHCOMPDIR $PREFIX/share/bash-completion/completions
#   ZSHCOMPDIR  $PREFIX/share/zsh/vendor-completions for PREFIX=/usr (Debian's zsh looks there), else
#               $PREFIX/share/zsh/site-functions
#
# Layout:
#   $BINDIR/wxsidecar                          the daemon
#   $UNITDIR/wxsidecar.service                 the unit, its paths rewritten for BINDIR/SYSCONFDIR/DOCDIR
#   $SYSUSERSDIR/wxsidecar.conf                user and group wxsidecar
#   $SYSCONFDIR/wxsidecar/wxsidecar.yaml       only if absent: the host configuration (token in /run/wxsidecar,
#   $SYSCONFDIR/wxsidecar/whitelist.txt        only if absent   AppSecret from the systemd credential)
#   $DOCDIR/operations.md, $DOCDIR/examples/   the documentation and pristine copies of both files
#   $BASHCOMPDIR/wxsidecar, $ZSHCOMPDIR/_wxsidecar   shell completions (wxsidecar --generate-completion-script)
#
# An existing configuration or whitelist is never overwritten (compare it with $DOCDIR/examples/).
# With an empty DESTDIR, as root, on a systemd host, it also runs systemd-sysusers and daemon-reload.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
DESTDIR="${DESTDIR:-}"
PREFIX="${PREFIX:-/usr/local}"
BINDIR="${BINDIR:-$PREFIX/bin}"
SYSCONFDIR="${SYSCONFDIR:-/etc}"
UNITDIR="${UNITDIR:-$PREFIX/lib/systemd/system}"
SYSUSERSDIR="${SYSUSERSDIR:-$PREFIX/lib/sysusers.d}"
DOCDIR="${DOCDIR:-$PREFIX/share/doc/wxsidecar}"
BASHCOMPDIR="${BASHCOMPDIR:-$PREFIX/share/bash-completion/completions}"
if [ "$PREFIX" = /usr ]; then
  ZSHCOMPDIR="${ZSHCOMPDIR:-$PREFIX/share/zsh/vendor-completions}"
else
  ZSHCOMPDIR="${ZSHCOMPDIR:-$PREFIX/share/zsh/site-functions}"
fi
CONFDIR="$SYSCONFDIR/wxsidecar"
# Where the unit keeps the token: RuntimeDirectory=wxsidecar.
TOKEN_FILE="/run/wxsidecar/cloudbase_access_token"

say() { echo "install: $*" >&2; }

# The unit with its default paths (/usr/local/bin, /etc, /usr/local/share/doc) replaced by the chosen ones.
render_unit() {
  sed -e "s|/usr/local/bin/wxsidecar|$BINDIR/wxsidecar|g" \
      -e "s|/etc/wxsidecar/|$CONFDIR/|g" \
      -e "s|/usr/local/share/doc/wxsidecar/|$DOCDIR/|g" \
      "$root/systemd/wxsidecar.service"
}

# Config/wxsidecar.yaml for a systemd host: the token in the RuntimeDirectory, the AppSecret from
# LoadCredential= (secret_file left to its default, $CREDENTIALS_DIRECTORY/appsecret).
render_config() {
  sed -e "s|^  file: \"/.tencentcloudbase/wx/cloudbase_access_token\"|  file: \"$TOKEN_FILE\"|" \
      -e "s|^secret_file: .*|# secret_file: unset, so the daemon reads \$CREDENTIALS_DIRECTORY/appsecret (the unit's LoadCredential=).|" \
      -e "s|^  file: \"/etc/wxsidecar/whitelist.txt\"|  file: \"$CONFDIR/whitelist.txt\"|" \
      "$root/Config/wxsidecar.yaml"
}

# Installs $2 (a file) as $1 with mode $3 unless $1 exists.
install_if_absent() {
  local target="$DESTDIR$1"
  if [ -e "$target" ]; then
    say "kept $1 (exists; the shipped version is in $DOCDIR/examples/)"
  else
    install -D -m "$3" "$2" "$target"
    say "created $1"
  fi
}

do_install() {
  [ -n "${BINARY:-}" ] && [ -x "$BINARY" ] || { say "BINARY must name the built wxsidecar executable"; exit 2; }
  staging="$(mktemp -d)"
  trap 'rm -rf "$staging"' EXIT
  render_unit >"$staging/wxsidecar.service"
  render_config >"$staging/wxsidecar.yaml"
  grep -q "^  file: \"$TOKEN_FILE\"" "$staging/wxsidecar.yaml" \
    || { say "Config/wxsidecar.yaml changed shape: token.file was not rewritten"; exit 1; }
  for shell in bash zsh; do
    "$BINARY" --generate-completion-script "$shell" >"$staging/completion.$shell" && [ -s "$staging/completion.$shell" ] \
      || { say "$BINARY --generate-completion-script $shell failed"; exit 1; }
  done

  install -D -m 0755 "$BINARY" "$DESTDIR$BINDIR/wxsidecar"
  install -D -m 0644 "$staging/wxsidecar.service" "$DESTDIR$UNITDIR/wxsidecar.service"
  install -D -m 0644 "$root/systemd/wxsidecar.sysusers" "$DESTDIR$SYSUSERSDIR/wxsidecar.conf"
  install -D -m 0644 "$root/docs/operations.md" "$DESTDIR$DOCDIR/operations.md"
  install -D -m 0644 "$staging/wxsidecar.yaml" "$DESTDIR$DOCDIR/examples/wxsidecar.yaml"
  install -D -m 0644 "$root/Config/whitelist.txt" "$DESTDIR$DOCDIR/examples/whitelist.txt"
  install -D -m 0644 "$staging/completion.bash" "$DESTDIR$BASHCOMPDIR/wxsidecar"
  install -D -m 0644 "$staging/completion.zsh" "$DESTDIR$ZSHCOMPDIR/_wxsidecar"
  install -d -m 0755 "$DESTDIR$CONFDIR"
  install_if_absent "$CONFDIR/wxsidecar.yaml" "$staging/wxsidecar.yaml" 0644
  install_if_absent "$CONFDIR/whitelist.txt" "$root/Config/whitelist.txt" 0644
  say "installed $BINDIR/wxsidecar and $UNITDIR/wxsidecar.service under '${DESTDIR:-/}'"

  if [ -z "$DESTDIR" ] && [ "$(id -u)" -eq 0 ]; then
    command -v systemd-sysusers >/dev/null && systemd-sysusers "$SYSUSERSDIR/wxsidecar.conf"
    [ -d /run/systemd/system ] && systemctl daemon-reload
  fi
  [ -e "$DESTDIR$CONFDIR/appsecret" ] || say "next: put the AppSecret in $CONFDIR/appsecret (mode 0600, root), set appid in $CONFDIR/wxsidecar.yaml, then: systemctl enable --now wxsidecar"
}

do_uninstall() {
  rm -f "$DESTDIR$BINDIR/wxsidecar" "$DESTDIR$UNITDIR/wxsidecar.service" "$DESTDIR$SYSUSERSDIR/wxsidecar.conf" \
    "$DESTDIR$BASHCOMPDIR/wxsidecar" "$DESTDIR$ZSHCOMPDIR/_wxsidecar"
  rm -rf "$DESTDIR$DOCDIR"
  say "removed the binary, the unit, the sysusers entry, the completions and $DOCDIR; kept $CONFDIR (configuration and AppSecret)"
  if [ -z "$DESTDIR" ] && [ "$(id -u)" -eq 0 ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  fi
}

case "${1:-install}" in
  install) do_install ;;
  --uninstall) do_uninstall ;;
  *) echo "usage: $0 [install|--uninstall]" >&2; exit 2 ;;
esac
