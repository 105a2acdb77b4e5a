# wxsidecar: the two commands are `make dev` and `make test`; every target installs what it needs.

SWIFT ?= swift
PREFIX ?= /usr/local
BUILD_FLAGS ?=
## Release builds link the Swift runtime statically: an installed host needs only libcurl.
RELEASE_FLAGS ?= --static-swift-stdlib
DESTDIR ?=
## The executable install/dist/deb copy; empty means the release build, made first.
BINARY ?=
## Where `make release` (and so install/dist/deb without BINARY) builds: SwiftPM's .build when empty, else this
## scratch path (make check-boot uses .build-boot, so it never waits on the debug build). DIST_DIR: packages.
SCRATCH_PATH ?=
SCRATCH_FLAG = $(if $(SCRATCH_PATH),--scratch-path $(SCRATCH_PATH))
DIST_DIR ?= .build/dist
BIN_PATH ?= $$($(SWIFT) build --show-bin-path)
INSTALL_BINARY = $(or $(BINARY),$$($(SWIFT) build -c release $(SCRATCH_FLAG) --show-bin-path)/wxsidecar)

.PHONY: setup build release dev test fleet clean install uninstall dist deb check-ops check-boot bench bench-micro ci-extra fuzz soak sanitize

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(BUILD_FLAGS)

release: setup
	$(SWIFT) build -c release $(RELEASE_FLAGS) $(SCRATCH_FLAG) $(BUILD_FLAGS)

## The daemon on its embedded default: the built-in WeChat emulator, no credentials needed.
dev: build
	$$($(SWIFT) build --show-bin-path)/wxsidecar dev

## Every test: unit tables, libcurl against in-process servers, the emulator, the daemon end to end.
test: setup
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --skip ReliabilityTests --skip FleetTests $(BUILD_FLAGS)
	@$(MAKE) --no-print-directory check-ops BIN_PATH="$$($(SWIFT) build --show-bin-path)"
	@$(MAKE) --no-print-directory ci-extra BIN_PATH="$$($(SWIFT) build --show-bin-path)"
	@$(MAKE) --no-print-directory check-boot

## Operations checks, after `swift build --build-tests`: systemd-analyze verify and the security score (at most
## 1.5) of the unit; the daemon's end-to-end tests under the unit's seccomp + MDWE sandbox; deploy/ manifests.
check-ops:
	BINARY="$(BIN_PATH)/wxsidecar" scripts/check-systemd-unit.sh
	BIN_PATH="$(BIN_PATH)" scripts/check-sandbox.sh
	BINARY="$(BIN_PATH)/wxsidecar" scripts/check-deploy.sh

## The package under a real systemd: builds the .deb (release build in BOOT_SCRATCH), installs it with dpkg in a
## minimal Debian 12 root (debootstrap, cached in CHECK_BOOT_CACHE and BOOT_SCRATCH/cache), boots that root with
## systemd-nspawn on the host network against the emulator over TLS, and probes the unit from inside
## (scripts/check-boot-probe.sh). Needs root; skips only where the kernel refuses a container.
BOOT_SCRATCH ?= .build-boot
CHECK_BOOT_CACHE ?= /var/cache/wxsidecar-check-boot
check-boot: setup
	BOOT_SCRATCH="$(BOOT_SCRATCH)" CHECK_BOOT_CACHE="$(CHECK_BOOT_CACHE)" scripts/check-boot.sh

## Reliability checks `make test` ends with (after `swift build --build-tests`): the ReliabilityTests suites on
## their own (fault injection, malformed HTTP, disconnect storms: load that would skew other suites' timing),
## every libFuzzer target for CI_FUZZ_SECONDS, and a CI_SOAK_SECONDS soak of the built daemon with faults.
CI_FUZZ_SECONDS ?= 20
CI_SOAK_SECONDS ?= 45
ci-extra:
	$(SWIFT) test --skip-build --filter ReliabilityTests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --filter FleetTests $(BUILD_FLAGS)
	FUZZ_SECONDS=$(CI_FUZZ_SECONDS) scripts/fuzz.sh
	python3 scripts/soak.py --binary "$(BIN_PATH)/wxsidecar" --duration $(CI_SOAK_SECONDS) --rate 50 --sample 1 --out .build/soak-ci

## The fleet: 20 sidecars on one appid against the emulator, tokens rotating every ~20 s, every token invalidated
## twice; prints the force_refresh and token-fetch figures (docs/operations.md).
fleet: build
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --filter FleetTests $(BUILD_FLAGS)

## libFuzzer over SidecarCore (request_path: request paths + whitelist, whitelist_parser, query_rewrite) and
## WeChatPush (push_envelope: the AES envelope, the push XML and its JSON, the passive reply; SwiftPM builds it in
## .build-fuzz/spm): FUZZ_SECONDS per target (default 300), FUZZ_TARGETS to pick some. Inputs found go to
## .build-fuzz/, crashes to .build-fuzz/artifacts/ (reproduce: scripts/fuzz.sh --reproduce TARGET FILE).
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?=
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(FUZZ_TARGETS)

## The soak: SOAK_SECONDS (600) at SOAK_RATE (50) requests/s against `wxsidecar emulate`, tokens rotating every
## 30 s, faults injected; fails on any non-injected failure or growing fds/RSS. SOAK_BINARY: the daemon to
## drive (default: the debug build). Samples and logs in .build/soak/.
SOAK_SECONDS ?= 600
SOAK_RATE ?= 50
SOAK_BINARY ?=
soak: $(if $(SOAK_BINARY),,build)
	python3 scripts/soak.py --binary "$(or $(SOAK_BINARY),$$($(SWIFT) build --show-bin-path)/wxsidecar)" \
		--duration $(SOAK_SECONDS) --rate $(SOAK_RATE) --out .build/soak

## The whole test suite under AddressSanitizer, then ThreadSanitizer (scratch paths .build-asan, .build-tsan;
## TSan suppressions in scripts/tsan-suppressions.txt). SANITIZERS="address" to run one.
sanitize: setup
	scripts/sanitize.sh $(SANITIZERS)

## The binary, the systemd unit and /etc/wxsidecar (an existing config or whitelist is kept). PREFIX, DESTDIR,
## BINDIR, SYSCONFDIR, UNITDIR, SYSUSERSDIR, DOCDIR; BINARY=path skips the release build.
install: $(if $(BINARY),,release)
	BINARY="$(INSTALL_BINARY)" DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" scripts/install.sh install

uninstall:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" scripts/install.sh --uninstall

## .build/dist/wxsidecar-VERSION-linux-ARCH.tar.gz: the /usr/local tree of `make install`, to untar at /.
dist: $(if $(BINARY),,release)
	BINARY="$(INSTALL_BINARY)" OUT="$(DIST_DIR)" scripts/package.sh tar

## .build/dist/wxsidecar_VERSION_ARCH.deb (the /usr layout; /etc/wxsidecar files are conffiles).
deb: $(if $(BINARY),,release)
	BINARY="$(INSTALL_BINARY)" OUT="$(DIST_DIR)" scripts/package.sh deb

## wxsidecar vs the nginx + lua peer over an nginx HTTPS upstream on loopback: installs nginx-extras, wrk and
## openssl, builds the release binary (.build-release), prints one table (BENCHMARKS.md). BENCH_QUICK=1: short sweep.
bench:
	Benchmarks/bench.sh

## Micro-benchmarks of the pure hot path (path validation, whitelist, query rewriting, errcode scan) with
## ordo-one/benchmark, a separate package (Benchmarks/Micro) that the main build and CI never build.
bench-micro: setup
	cd Benchmarks/Micro && $(SWIFT) package --scratch-path ../../.build-micro --disable-sandbox benchmark --no-progress

clean:
	rm -rf .build .wxsidecar-dev .build-fuzz .build-asan .build-tsan .build-boot
