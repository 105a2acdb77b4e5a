#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# libFuzzer over SidecarCore (it has no dependencies, so its sources compile straight into each target):
#   request_path      request-target validation + whitelist matching + the upstream URL built from them
#   whitelist_parser  the whitelist file parser against a naive reference
#   query_rewrite     removing the caller's credentials and appending the sidecar's token
# Each is built with `swiftc -sanitize=fuzzer,address` from Sources/SidecarCore/**/*.swift, Fuzz/Support/*.swift
# and its Fuzz/Targets/*Target.swift. And over WeChatPush, which needs swift-crypto, so SwiftPM builds it:
#   push_envelope     the push envelope (AES decrypt/encrypt), the push XML and its JSON, the passive reply
# is the package's PushEnvelopeFuzzer (Fuzz/PushEnvelope/), built in release with `-sanitize=fuzzer,address
# -DFUZZING` in its own scratch path, .build-fuzz/spm, so the ordinary .build is left alone (the first build
# compiles swift-crypto: about 2.5 minutes on 2 cores; later ones only what changed).
# Every target runs for FUZZ_SECONDS over the committed seed corpus Fuzz/corpus/<target>/ (new inputs go to
# .build-fuzz/corpus/<target>/, never into the repository). A crash, a sanitizer report, a hang or a violated
# property (the harness traps) fails the run and leaves the input in .build-fuzz/artifacts/. Prints the
# executions per target.
#
#   FUZZ_SECONDS=25 scripts/fuzz.sh                  # every target, 25 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh request_path    # one target, longer
#   scripts/fuzz.sh --reproduce request_path FILE    # run one input (a crash artifact) and show the report
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${FUZZ_SECONDS:-60}"
build="${FUZZ_BUILD:-$root/.build-fuzz}"
all_targets=(request_path whitelist_parser query_rewrite push_envelope)
# The Swift runtime's own crash backtracer symbolicates for a long time; libFuzzer reports enough.
export SWIFT_BACKTRACE=enable=no
# Leak checking at exit would report the Swift runtime's caches.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

source_file() {
  case "$1" in
    request_path) echo Fuzz/Targets/RequestPathTarget.swift ;;
    whitelist_parser) echo Fuzz/Targets/WhitelistParserTarget.swift ;;
    query_rewrite) echo Fuzz/Targets/QueryRewriteTarget.swift ;;
    push_envelope) echo Fuzz/PushEnvelope/PushEnvelopeTarget.swift ;;
    *) echo "fuzz: unknown target $1 (targets: ${all_targets[*]})" >&2; exit 2 ;;
  esac
}

compile() {
  local target="$1"
  mkdir -p "$build"
  if [[ "$target" == push_envelope ]]; then
    compile_package_fuzzer PushEnvelopeFuzzer "$target"
    return
  fi
  # One module, named like the library, so the harness sees SidecarCore's internals as its tests do.
  swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name SidecarCore -use-ld=lld \
    $(find Sources/SidecarCore -name '*.swift' | sort) Fuzz/Support/*.swift "$(source_file "$target")" \
    -o "$build/fuzz-$target" >"$build/compile-$target.log" 2>&1 || { cat "$build/compile-$target.log" >&2; return 1; }
}

# A fuzzer that is an executable of the package (it depends on other packages): SwiftPM in its own scratch path.
# Release, like -O above: 4 times the executions of a debug build for 1.4 times its build. lld, as above: gold
# fails on the sanitized debug info.
compile_package_fuzzer() {
  local product="$1" target="$2"
  local flags=(-c release --scratch-path "$build/spm" --product "$product" -Xswiftc -sanitize=fuzzer,address
    -Xswiftc -DFUZZING -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
  swift build "${flags[@]}" >"$build/compile-$target.log" 2>&1 || { cat "$build/compile-$target.log" >&2; return 1; }
  ln -sf "$(swift build "${flags[@]}" --show-bin-path)/$product" "$build/fuzz-$target"
}

if [[ "${1:-}" == "--reproduce" ]]; then
  compile "$2"
  exec "$build/fuzz-$2" "$3"
fi

targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do source_file "$target" >/dev/null; done

started=$(date +%s)
pids=()
for target in "${targets[@]}"; do
  compile "$target" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
echo "fuzz: built ${#targets[@]} target(s) in $(($(date +%s) - started)) s"

status=0
summary=()
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  log="$build/fuzz-$target.log"
  set +e
  "$build/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1
  code=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  seeds=$(find "Fuzz/corpus/$target" -type f | wc -l)
  found=$(find "$corpus" -type f | wc -l)
  if ((code != 0)); then
    status=1
    echo "fuzz: $target FAILED (exit $code) after ${runs:-?} executions:" >&2
    grep -E 'property violated|Fatal error|ERROR: (libFuzzer|AddressSanitizer)|SUMMARY|Test unit written' "$log" | head -n 20 >&2 || tail -n 40 "$log" >&2
    for crash in "$artifacts"/*; do
      [[ -f "$crash" ]] && { echo "fuzz: input $crash:" >&2; od -c "$crash" | head -n 20 >&2; }
    done
  fi
  summary+=("$target: ${runs:-0} executions in ${seconds} s ($seeds seeds, $found inputs kept)")
done
for line in "${summary[@]}"; do echo "fuzz: $line"; done
if ((status == 0)); then echo "fuzz: no crash, no sanitizer report, no property violated"; fi
exit "$status"
