#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# The whole test suite under AddressSanitizer and ThreadSanitizer: `swift build --build-tests --sanitize=X`
# into its own scratch path (.build-asan, .build-tsan), then the test bundle. The `wxsidecar` executable built
# beside it is instrumented too, so the tests that run the daemon as a subprocess (disconnecting clients,
# signals, systemd notify) exercise an instrumented daemon. A sanitizer report fails the run: ASan aborts
# the process; TSan is made to exit non-zero on the first report. Suppressions (each with its reason):
# scripts/asan-suppressions.txt, scripts/tsan-suppressions.txt.
#
#   scripts/sanitize.sh                 # address, then thread
#   scripts/sanitize.sh thread          # one
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
sanitizers=("$@")
((${#sanitizers[@]})) || sanitizers=(address thread)
export SWIFT_BACKTRACE=enable=no

status=0
for sanitizer in "${sanitizers[@]}"; do
  case "$sanitizer" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "sanitize: unknown sanitizer $sanitizer (address, thread)" >&2; exit 2 ;;
  esac
  echo "sanitize: building with --sanitize=$sanitizer into $scratch"
  started=$(date +%s)
  swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" 2>&1 | grep -E 'error|warning: ' | grep -v -e 'unhandled' -e 'Cannot export local symbol' || true
  built=$(($(date +%s) - started))
  bin="$(swift build --sanitize="$sanitizer" --scratch-path "$scratch" --show-bin-path)"
  log="$scratch/sanitize-tests.log"
  : >"$log"
  # detect_leaks=0: LeakSanitizer reports process-lifetime singletons (NIO's blocking pool, the Swift runtime's
  # caches) as leaks at exit. The test support passes *SAN_OPTIONS on to the daemons it starts.
  # halt_on_error / exitcode: the first report fails the run, in the test process and in daemons it starts.
  # One test target at a time: instrumented code runs several times slower, and the whole suite at once
  # on two cores would turn timing into failures that say nothing about memory or races.
  code=0
  for module in $(cd Tests && ls -d *Tests | sort); do
    set +e
    ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:suppressions=$root/scripts/asan-suppressions.txt:${ASAN_OPTIONS:-}" \
      TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$root/scripts/tsan-suppressions.txt:${TSAN_OPTIONS:-}" \
      "$bin/wxsidecarPackageTests.xctest" --testing-library swift-testing --filter "^$module\\." >>"$log" 2>&1
    module_code=$?
    set -e
    echo "sanitize: $sanitizer: $module exit $module_code"
    ((module_code == 0)) || code=$module_code
  done
  tested=$(($(date +%s) - started - built))
  reports=$(grep -cE '^(==[0-9]+==ERROR: AddressSanitizer|WARNING: ThreadSanitizer)' "$log" || true)
  echo "sanitize: $sanitizer: build ${built} s, tests ${tested} s, exit $code, $reports sanitizer report(s)"
  grep -E '^(✘|✔ Test run|Test run)|AddressSanitizer|ThreadSanitizer|SUMMARY' "$log" | tail -n 25
  if ((code != 0 || reports != 0)); then
    status=1
    echo "sanitize: $sanitizer FAILED; the whole log is $log" >&2
  fi
done
exit "$status"
