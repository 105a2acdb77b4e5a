#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# The probe of `make check-boot`: runs as root inside the booted container (scripts/check-boot.sh enters it
# with nsenter), with /probe holding the .deb, an upgrade of it and the emulator's CA. Installs the package,
# points it at the emulator on the host's https://127.0.0.1:$EMULATOR_PORT, and checks the unit under systemd.
# One line per check, PASS or FAIL with the reason; exits 1 if any failed. Every wait is bounded.
set -uo pipefail

EMULATOR_PORT="${EMULATOR_PORT:?}"
SIDECAR_PORT="${SIDECAR_PORT:?}"
MAX_EXPOSURE="${MAX_EXPOSURE:-1.5}"
emulator="https://127.0.0.1:$EMULATOR_PORT"
sidecar="http://127.0.0.1:$SIDECAR_PORT"
ca=/etc/wxsidecar-probe/ca.pem
config=/etc/wxsidecar/wxsidecar.yaml
whitelist=/etc/wxsidecar/whitelist.txt
token_file=/run/wxsidecar/cloudbase_access_token
dropins=/run/systemd/system/wxsidecar.service.d
secret=emulator-secret
passed=0
failed=0
cd /

# ---- helpers -----------------------------------------------------------------------------------------------
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
note() { echo "     $*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
prop() { systemctl show -p "$1" --value "${2:-wxsidecar.service}"; }
sysctl_() { timeout 90 systemctl "$@"; }
knob() { curl -sS --max-time 10 --cacert "$ca" -X "$1" "$emulator/-/emulator/$2" ${3:+-d "$3"} >/dev/null; }
status_of() { curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@"; }
msg_sec_check() {
  curl -sS --max-time 20 -X POST "$sidecar/wxa/msg_sec_check" -H 'Content-Type: application/json' \
    -d '{"version":2,"openid":"o1","scene":1,"content":"hello"}' 2>&1
}
# The cursor of the newest journal entry, for "what was logged since".
cursor() { journalctl --sync 2>/dev/null; journalctl -n 1 -o export --no-pager | sed -n 's/^__CURSOR=//p'; }
since() { local c="$1"; shift; journalctl --sync 2>/dev/null; journalctl --no-pager -q --after-cursor="$c" "$@"; }
# Waits up to $1 seconds for the command to succeed.
wait_until() {
  local deadline=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
is_active() { [ "$(prop ActiveState)" = active ]; }
set_secret() { install -m 0600 -o root -g root /dev/stdin /etc/wxsidecar/appsecret <<<"$1"; }
dropin() {
  mkdir -p "$dropins"
  printf '[Service]\n%s\n' "$2" >"$dropins/$1.conf"
  systemctl daemon-reload
}
undrop() { rm -f "$dropins/$1.conf"; systemctl daemon-reload; }

echo "check-boot probe: $(systemctl --version | head -n 1); emulator $emulator; sidecar $sidecar"

# ---- install -------------------------------------------------------------------------------------------------
if ! dpkg -i /probe/wxsidecar.deb >/tmp/dpkg.log 2>&1; then
  note "dpkg -i left dependencies to resolve; apt-get -f install from Debian"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq; } >>/tmp/dpkg.log 2>&1
fi
if [ "$(dpkg-query -W -f '${Status}' wxsidecar 2>/dev/null)" = "install ok installed" ] \
  && [ -x /usr/bin/wxsidecar ] && [ "$(prop LoadState)" = loaded ] && getent passwd wxsidecar >/dev/null; then
  pass "install: dpkg -i $(dpkg-query -W -f '${Version}' wxsidecar); unit loaded; user wxsidecar created"
else
  fail "install" "the package did not install cleanly: $(tail -n 5 /tmp/dpkg.log | tr '\n' ' ')"
  echo "check-boot: $passed passed, $((failed + 1)) failed"
  exit 1
fi
if [ -e /bin/kill ] || [ -e /usr/bin/kill ]; then
  note "this root has a kill binary: the reload check below does not prove it is unneeded"
fi
bash_completion=/usr/share/bash-completion/completions/wxsidecar
zsh_completion=/usr/share/zsh/vendor-completions/_wxsidecar
if [ -s "$bash_completion" ] && grep -q emulate "$bash_completion" \
  && bash -c "source $bash_completion && complete -p wxsidecar" >/dev/null 2>&1 \
  && [ "$(head -n 1 "$zsh_completion" 2>/dev/null)" = "#compdef wxsidecar" ]; then
  pass "completions: bash ($bash_completion) and zsh ($zsh_completion) installed and loadable"
else
  fail "completions" "missing or broken: $bash_completion, $zsh_completion"
fi

# Configure as an operator would: appid as shipped, upstream = the emulator (its CA), a free port, the secret.
mkdir -p "${ca%/*}"
install -m 0644 /probe/emulator-ca.pem "$ca"
sed -i -e "s|^listen: .*|listen: \"127.0.0.1:$SIDECAR_PORT\"|" \
  -e "s|^  base_url: .*|  base_url: \"$emulator\"|" -e "s|^  ca_file: .*|  ca_file: \"$ca\"|" "$config"
grep -q "^listen: \"127.0.0.1:$SIDECAR_PORT\"" "$config" && grep -q "base_url: \"$emulator\"" "$config" \
  || fail "configure" "$config did not take the listen/upstream edits"
set_secret "$secret"
systemd-sysusers --inline 'u probeapp - "check-boot app" /nonexistent' >/dev/null 2>&1
knob POST reset

# ---- start: active only after READY=1 -----------------------------------------------------------------------
# The emulator holds the first token fetch for 3 s: systemctl start must wait it out, the unit "activating".
knob POST fault '{"path":"/cgi-bin/stable_token","delay_ms":3000,"count":1}'
t0=$(now_ms)
sysctl_ start wxsidecar &
start_job=$!
sleep 1.5
mid_state="$(prop ActiveState)"
mid_file=absent
[ -e "$token_file" ] && mid_file=present
wait "$start_job"
start_rc=$?
start_ms=$(($(now_ms) - t0))
ready_http="$(status_of "$sidecar/-/ready")"
if [ "$start_rc" -eq 0 ] && [ "$mid_state" = activating ] && [ "$mid_file" = absent ] && [ "$start_ms" -ge 2500 ] \
  && is_active && [ "$ready_http" = 200 ]; then
  pass "start: 'activating' with no token file while the first fetch was held, active after READY=1 (${start_ms} ms); /-/ready 200 at once"
else
  fail "start" "rc=$start_rc, at 1.5 s state=$mid_state token file $mid_file, returned after ${start_ms} ms, now $(prop ActiveState), /-/ready $ready_http"
fi
knob DELETE fault

status_text="$(prop StatusText)"
if [ "$status_text" = "serving on 127.0.0.1:$SIDECAR_PORT with a valid access_token" ]; then
  pass "StatusText: '$status_text'"
else
  fail "StatusText" "got '$status_text'"
fi

# LimitNOFILE: the descriptor limit leaves limits.max_connections (1024) whole, so the cap is not lowered.
nofile="$(awk '/^Max open files/ {print $4}' "/proc/$(prop MainPID)/limits" 2>/dev/null)"
if [ "$nofile" = 8192 ]; then
  pass "descriptors: the daemon's soft limit is $nofile (LimitNOFILE), above max_connections plus the reserve"
else
  fail "descriptors" "soft limit of open files '${nofile:-unknown}', want 8192 from LimitNOFILE"
fi

# ---- the token file and the AppSecret ------------------------------------------------------------------------
file_stat="$(stat -c '%U:%G %a' "$token_file" 2>&1)"
dir_stat="$(stat -c '%U:%G %a' /run/wxsidecar 2>&1)"
if [ "$file_stat" = "wxsidecar:wxsidecar 640" ] && [ "$dir_stat" = "wxsidecar:wxsidecar 750" ] \
  && grep -qxE '[A-Za-z0-9_-]{20,}' "$token_file" && [ "$(tail -c 1 "$token_file" | od -An -c | tr -d ' ')" != '\n' ]; then
  pass "token file: $token_file $file_stat in /run/wxsidecar $dir_stat, the token alone, no newline"
else
  fail "token file" "file '$file_stat' (want wxsidecar:wxsidecar 640), directory '$dir_stat' (want wxsidecar:wxsidecar 750) or content"
fi

main_pid="$(prop MainPID)"
environment="$(tr '\0' '\n' <"/proc/$main_pid/environ" 2>/dev/null)"
problems=()
[ "$(stat -c '%U:%G %a' /etc/wxsidecar/appsecret)" = "root:root 600" ] || problems+=("appsecret is not root:root 0600")
runuser -u wxsidecar -- cat /etc/wxsidecar/appsecret >/dev/null 2>&1 && problems+=("wxsidecar can read /etc/wxsidecar/appsecret")
runuser -u wxsidecar -- grep -rqs -- "$secret" /etc && problems+=("a file under /etc readable by wxsidecar holds the secret")
grep -q '^secret_file:' "$config" && problems+=("$config sets secret_file")
grep -qx 'CREDENTIALS_DIRECTORY=/run/credentials/wxsidecar.service' <<<"$environment" || problems+=("no CREDENTIALS_DIRECTORY in the daemon's environment")
grep -q '^WXSIDECAR_SECRET=' <<<"$environment" && problems+=("WXSIDECAR_SECRET is set")
[ -f /run/credentials/wxsidecar.service/appsecret ] || problems+=("no credential file")
if ((${#problems[@]} == 0)); then
  pass "AppSecret: through LoadCredential (\$CREDENTIALS_DIRECTORY/appsecret); /etc/wxsidecar/appsecret root 0600, unreadable by wxsidecar"
else
  fail "AppSecret" "${problems[*]}"
fi

# ---- a proxied call ----------------------------------------------------------------------------------------
answer="$(msg_sec_check)"
if grep -q '"errcode":0' <<<"$answer" && grep -q '"suggest":"pass"' <<<"$answer"; then
  pass "proxy: POST /wxa/msg_sec_check through the daemon to the emulator over TLS"
else
  fail "proxy" "answer: ${answer:0:300}"
fi

# ---- reload ----------------------------------------------------------------------------------------------------
before="$(status_of "$sidecar/probe-reload/x")"
pid_before="$(prop MainPID)"
c="$(cursor)"
printf '/probe-reload/*\n' >>"$whitelist"
sysctl_ reload wxsidecar
reload_rc=$?
logged_sighup() { since "$c" -u wxsidecar -o cat | grep 'whitelist reloaded' | grep -q 'reason=SIGHUP'; }
wait_until 5 logged_sighup
sighup=$?
after="$(status_of "$sidecar/probe-reload/x")"
if [ "$reload_rc" -eq 0 ] && [ "$sighup" -eq 0 ] && [ "$before" = 403 ] && [ "$after" = 200 ] && is_active \
  && [ "$(prop MainPID)" = "$pid_before" ] && [ "$(prop ReloadResult)" = success ]; then
  pass "reload: systemctl reload (ExecReload=wxsidecar reload, no /bin/kill) applied the whitelist (403 -> 200), same PID, active"
else
  fail "reload" "rc=$reload_rc, SIGHUP reload logged: $([ "$sighup" -eq 0 ] && echo yes || echo no), path $before -> $after, state $(prop ActiveState), ReloadResult $(prop ReloadResult)"
  since "$c" -u wxsidecar -o cat | tail -n 5 | sed 's/^/     /'
fi

# ---- restart: the token file never goes away --------------------------------------------------------------
rm -f /run/probe-stop /run/probe-reader.out
setpriv --reuid=probeapp --regid=probeapp --groups=wxsidecar bash -c '
  reads=0 misses=0
  while [ ! -e /run/probe-stop ]; do
    if token="$(cat /run/wxsidecar/cloudbase_access_token 2>/dev/null)" && [ -n "$token" ]; then
      reads=$((reads + 1))
    else
      misses=$((misses + 1))
    fi
  done
  echo "$reads $misses"' >/run/probe-reader.out 2>/dev/null &
reader=$!
sleep 0.5
pid_before="$(prop MainPID)"
sysctl_ restart wxsidecar
restart_rc=$?
sleep 1
touch /run/probe-stop
wait "$reader"
read -r reads misses </run/probe-reader.out 2>/dev/null || { reads=0; misses=unknown; }
if [ "$restart_rc" -eq 0 ] && [ "$misses" = 0 ] && [ "$reads" -gt 20 ] && is_active && [ "$(prop MainPID)" != "$pid_before" ]; then
  pass "restart: new PID, and a reader in group wxsidecar read the token file $reads times across it, never missing it"
else
  fail "restart" "rc=$restart_rc, reads=$reads, misses=$misses, state $(prop ActiveState)"
fi

# ---- stop drains -----------------------------------------------------------------------------------------------
knob POST fault '{"path":"/wxa/msg_sec_check","delay_ms":2500,"count":1}'
msg_sec_check >/run/probe-drain.out &
in_flight=$!
sleep 0.8
c="$(cursor)"
t0=$(now_ms)
sysctl_ stop wxsidecar
stop_rc=$?
stop_ms=$(($(now_ms) - t0))
wait "$in_flight"
knob DELETE fault
unit_log="$(since "$c" -u wxsidecar -o cat)"
if [ "$stop_rc" -eq 0 ] && grep -q '"errcode":0' /run/probe-drain.out && [ "$stop_ms" -ge 1000 ] \
  && grep -q 'Deactivated successfully' <<<"$unit_log" && ! grep -q 'Main process exited' <<<"$unit_log"; then
  pass "stop: waited ${stop_ms} ms for the request in flight, which got its answer; exit 0 ('Deactivated successfully')"
else
  fail "stop" "rc=$stop_rc after ${stop_ms} ms; in-flight answer: $(head -c 200 /run/probe-drain.out); $(grep -m1 -e 'Main process exited' -e 'Deactivated' <<<"$unit_log")"
fi

# ---- a clean start, reload and stop: only the daemon's own lines, none warning or worse ----------------------
c="$(cursor)"
sysctl_ start wxsidecar && sysctl_ reload wxsidecar && sleep 1 && sysctl_ stop wxsidecar
cycle_rc=$?
own="$(since "$c" _SYSTEMD_UNIT=wxsidecar.service -o cat)"
foreign="$(grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z (trace|debug|info|notice) ' <<<"$own" | grep -v '^$')"
daemon_warnings="$(grep -E '^[^ ]+ (warning|error|critical) ' <<<"$own")"
unit_warnings="$(since "$c" -u wxsidecar -p warning -o cat)"
if [ "$cycle_rc" -eq 0 ] && [ -n "$own" ] && [ -z "$foreign" ] && [ -z "$daemon_warnings" ] && [ -z "$unit_warnings" ]; then
  pass "journal: a clean start, reload and stop logged $(wc -l <<<"$own") lines, all the daemon's own, none warning or worse"
else
  fail "journal" "rc=$cycle_rc; not the daemon's: '$(head -n 3 <<<"$foreign" | tr '\n' '|')'; warnings: '$(head -n 3 <<<"$daemon_warnings$unit_warnings" | tr '\n' '|')'"
fi

# ---- a wrong AppSecret: never ready, one journal line says why ---------------------------------------------
dropin probe-timeout 'TimeoutStartSec=6s'
set_secret wrong-secret
c="$(cursor)"
sysctl_ start wxsidecar 2>/dev/null
wrong_rc=$?
wrong_state="$(prop ActiveState)/$(prop SubState)"
why="$(since "$c" _SYSTEMD_UNIT=wxsidecar.service -o cat | grep -m1 40125)"
never_ready=yes
since "$c" _SYSTEMD_UNIT=wxsidecar.service -o cat | grep -q 'READY=1' && never_ready=no
sysctl_ stop wxsidecar
systemctl reset-failed wxsidecar 2>/dev/null
undrop probe-timeout
set_secret "$secret"
if [ "$wrong_rc" -ne 0 ] && [ "$never_ready" = yes ] && [[ "$wrong_state" != active/* ]] && grep -qi appsecret <<<"$why"; then
  pass "wrong AppSecret: start failed ($wrong_state), never ready; the journal: ${why:0:240}"
else
  fail "wrong AppSecret" "rc=$wrong_rc, state $wrong_state, ready: $([ "$never_ready" = yes ] && echo never || echo yes), line: '${why:-none with 40125}'"
fi

# ---- an invalid configuration: 78, not restarted -------------------------------------------------------------
dropin probe-invalid 'Environment=WXSIDECAR_TOKEN_MODE=fast'
c="$(cursor)"
sysctl_ start wxsidecar 2>/dev/null
invalid_rc=$?
sleep 7   # past RestartSec=5s
invalid_status="$(prop ExecMainStatus)"
invalid_state="$(prop ActiveState)"
restarts="$(prop NRestarts)"
invalid_why="$(since "$c" -u wxsidecar -o cat | grep -m1 'token.mode')"
systemctl reset-failed wxsidecar 2>/dev/null
undrop probe-invalid
if [ "$invalid_rc" -ne 0 ] && [ "$invalid_status" = 78 ] && [ "$invalid_state" = failed ] && [ "$restarts" = 0 ] && [ -n "$invalid_why" ]; then
  pass "invalid configuration: exit 78, failed, 0 restarts after 7 s; the journal: ${invalid_why:0:160}"
else
  fail "invalid configuration" "rc=$invalid_rc, status $invalid_status, state $invalid_state, NRestarts $restarts, line '${invalid_why}'"
fi

# ---- the watchdog ------------------------------------------------------------------------------------------------
sysctl_ start wxsidecar
watchdog="$(prop WatchdogUSec)"
restart_sec="$(prop RestartUSec)"
stopped_pid="$(prop MainPID)"
c="$(cursor)"
t0=$(now_ms)
kill -STOP "$stopped_pid"
killed_ms=""
replaced_ms=""
deadline=$((t0 + 60000))
while [ "$(now_ms)" -lt "$deadline" ]; do
  [ -z "$killed_ms" ] && ! kill -0 "$stopped_pid" 2>/dev/null && killed_ms=$(($(now_ms) - t0))
  pid="$(prop MainPID)"
  if [ -n "$killed_ms" ] && [ "$pid" != 0 ] && [ "$pid" != "$stopped_pid" ] && is_active; then
    replaced_ms=$(($(now_ms) - t0))
    break
  fi
  sleep 0.2
done
timeout_logged="$(since "$c" -u wxsidecar -o cat | grep -m1 -i 'watchdog timeout')"
# The last WATCHDOG=1 came up to WatchdogSec/2 before the SIGSTOP, so systemd signals within WatchdogSec of
# it (30 s); the 5 s allowed beyond are for the SIGABRT to take the process down. RestartSec later, a new one.
if [ -n "$replaced_ms" ] && [ -n "$timeout_logged" ] && [ "$killed_ms" -le 35000 ]; then
  pass "watchdog: a SIGSTOPped daemon was killed by systemd after ${killed_ms} ms (WatchdogSec=$watchdog) and replaced after ${replaced_ms} ms (RestartSec=$restart_sec)"
else
  fail "watchdog" "killed after ${killed_ms:-never} ms, replaced after ${replaced_ms:-never} ms; journal: '${timeout_logged:-no watchdog timeout}'"
  kill -CONT "$stopped_pid" 2>/dev/null
fi

# ---- apps read the token as members of group wxsidecar ----------------------------------------------------
is_active || sysctl_ start wxsidecar
for kind in with without; do
  groups_line=""
  [ "$kind" = with ] && groups_line="SupplementaryGroups=wxsidecar"
  cat >"/run/systemd/system/probe-app-$kind.service" <<EOF
[Unit]
Wants=wxsidecar.service
After=wxsidecar.service
[Service]
Type=oneshot
User=probeapp
$groups_line
ExecStart=/bin/cat $token_file
StandardOutput=truncate:/run/probe-app-$kind.out
EOF
done
systemctl daemon-reload
sysctl_ start probe-app-with.service 2>/dev/null
with_rc=$?
sysctl_ start probe-app-without.service 2>/dev/null
without_rc=$?
# StandardError= follows StandardOutput=: cat's complaint lands in the .out file.
if [ "$with_rc" -eq 0 ] && cmp -s /run/probe-app-with.out "$token_file" && [ "$without_rc" -ne 0 ] \
  && grep -q 'Permission denied' /run/probe-app-without.out; then
  pass "apps: a unit with SupplementaryGroups=wxsidecar read the token; one without it got 'Permission denied'"
else
  fail "apps" "with the group: rc=$with_rc, same token: $(cmp -s /run/probe-app-with.out "$token_file" && echo yes || echo no); without: rc=$without_rc, $(head -c 120 /run/probe-app-without.out)"
fi
systemctl reset-failed probe-app-without.service 2>/dev/null
rm -f /run/systemd/system/probe-app-*.service
systemctl daemon-reload

# ---- the exposure score, online ------------------------------------------------------------------------------
report="$(systemd-analyze security --no-pager wxsidecar.service 2>&1)"
score="$(sed -n 's/.*Overall exposure level for wxsidecar.service: \([0-9.]*\) .*/\1/p' <<<"$report")"
if [ -n "$score" ] && awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
  pass "security: systemd-analyze security inside the container rates the loaded unit $score (limit $MAX_EXPOSURE)"
else
  fail "security" "exposure '${score:-none}' above $MAX_EXPOSURE"
  grep '✗' <<<"$report" | sed 's/^/     /'
fi

# ---- upgrade keeps the operator's files; purge removes them ---------------------------------------------------
is_active || sysctl_ start wxsidecar
sums_before="$(sha256sum "$config" "$whitelist")"
pid_before="$(prop MainPID)"
dpkg -i /probe/wxsidecar-upgrade.deb </dev/null >/tmp/upgrade.log 2>&1
upgrade_rc=$?
version="$(dpkg-query -W -f '${Version}' wxsidecar)"
sums_after="$(sha256sum "$config" "$whitelist")"
wait_until 30 is_active
answer="$(msg_sec_check)"
if [ "$upgrade_rc" -eq 0 ] && [[ "$version" == *+boot1 ]] && [ "$sums_before" = "$sums_after" ] \
  && grep -q '/probe-reload/\*' "$whitelist" && is_active && [ "$(prop MainPID)" != "$pid_before" ] \
  && grep -q '"errcode":0' <<<"$answer"; then
  pass "upgrade: dpkg -i $version kept the edited wxsidecar.yaml and whitelist, restarted the daemon, which serves"
else
  fail "upgrade" "rc=$upgrade_rc, version $version, files kept: $([ "$sums_before" = "$sums_after" ] && echo yes || echo no), state $(prop ActiveState); $(tail -n 3 /tmp/upgrade.log | tr '\n' ' ')"
fi

dpkg --purge wxsidecar >/tmp/purge.log 2>&1
purge_rc=$?
left=()
for path in "$config" "$whitelist" /etc/wxsidecar /usr/bin/wxsidecar /usr/lib/systemd/system/wxsidecar.service \
  /usr/share/doc/wxsidecar "$bash_completion" "$zsh_completion" /run/wxsidecar; do
  [ -e "$path" ] && left+=("$path")
done
purge_state="$(systemctl is-active wxsidecar 2>/dev/null)"
if [ "$purge_rc" -eq 0 ] && ((${#left[@]} == 0)) && [ "$purge_state" != active ] && [ "$(status_of "$sidecar/-/healthy")" = 000 ]; then
  pass "purge: dpkg --purge stopped the daemon and removed /etc/wxsidecar (configuration, whitelist, AppSecret) and every installed file"
else
  fail "purge" "rc=$purge_rc, left: ${left[*]:-nothing}, unit $purge_state; $(tail -n 3 /tmp/purge.log | tr '\n' ' ')"
fi

echo "check-boot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
