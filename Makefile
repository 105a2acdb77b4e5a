# wxsidecar: the two commands are `make dev` and `make test`; every target installs what it needs.

SWIFT ?= swift
PREFIX ?= /usr/local
BUILD_FLAGS ?=
## Release builds link the Swift runtime statically: an installed host needs only libcurl.
RELEASE_FLAGS ?= --static-swift-stdlib
DESTDIR ?=
## The executable install/dist/deb copy; empty means the release build, made first.
BINARY ?=
BIN_PATH ?= $$($(SWIFT) build --show-bin-path)
INSTALL_BINARY = $(or $(BINARY),$$($(SWIFT) build -c release --show-bin-path)/wxsidecar)

.PHONY: setup build release dev test clean install uninstall dist deb check-ops bench bench-micro

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(BUILD_FLAGS)

release: setup
	$(SWIFT) build -c release $(RELEASE_FLAGS) $(BUILD_FLAGS)

## The daemon on its embedded default: the built-in WeChat emulator, no credentials needed.
dev: build
	$$($(SWIFT) build --show-bin-path)/wxsidecar dev

## Every test: unit tables, libcurl against in-process servers, the emulator, the daemon end to end.
test: setup
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS)
	@$(MAKE) --no-print-directory check-ops BIN_PATH="$$($(SWIFT) build --show-bin-path)"

## Operations checks, after `swift build --build-tests`: systemd-analyze verify and the security score (at most
## 1.5) of the unit; the daemon's end-to-end tests under the unit's seccomp + MDWE sandbox; deploy/ manifests.
check-ops:
	BINARY="$(BIN_PATH)/wxsidecar" scripts/check-systemd-unit.sh
	BIN_PATH="$(BIN_PATH)" scripts/check-sandbox.sh
	BINARY="$(BIN_PATH)/wxsidecar" scripts/check-deploy.sh

## The binary, the systemd unit and /etc/wxsidecar (an existing config or whitelist is kept). PREFIX, DESTDIR,
## BINDIR, SYSCONFDIR, UNITDIR, SYSUSERSDIR, DOCDIR; BINARY=path skips the release build.
install: $(if $(BINARY),,release)
	BINARY="$(INSTALL_BINARY)" DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" scripts/install.sh install

uninstall:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" scripts/install.sh --uninstall

## .build/dist/wxsidecar-VERSION-linux-ARCH.tar.gz: the /usr/local tree of `make install`, to untar at /.
dist: $(if $(BINARY),,release)
	BINARY="$(INSTALL_BINARY)" scripts/package.sh tar

## .build/dist/wxsidecar_VERSION_ARCH.deb (the /usr layout; /etc/wxsidecar files are conffiles).
deb: $(if $(BINARY),,release)
	BINARY="$(INSTALL_BINARY)" scripts/package.sh deb

## wxsidecar vs the nginx + lua peer over an nginx HTTPS upstream on loopback: installs nginx-extras, wrk and
## openssl, builds the release binary (.build-release), prints one table (BENCHMARKS.md). BENCH_QUICK=1: short sweep.
bench:
	Benchmarks/bench.sh

## Micro-benchmarks of the pure hot path (path validation, whitelist, query rewriting, errcode scan) with
## ordo-one/benchmark, a separate package (Benchmarks/Micro) that the main build and CI never build.
bench-micro: setup
	cd Benchmarks/Micro && $(SWIFT) package --scratch-path ../../.build-micro --disable-sandbox benchmark --no-progress

clean:
	rm -rf .build .wxsidecar-dev
