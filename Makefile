# wxsidecar: the two commands are `make dev` and `make test`; every target installs what it needs.

SWIFT ?= swift
PREFIX ?= /usr/local
BUILD_FLAGS ?=

.PHONY: setup build release dev test clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(BUILD_FLAGS)

release: setup
	$(SWIFT) build -c release $(BUILD_FLAGS)

## The daemon on its embedded default: the built-in WeChat emulator, no credentials needed.
dev: build
	$$($(SWIFT) build --show-bin-path)/wxsidecar dev

## Every test: unit tables, libcurl against in-process servers, the emulator, the daemon end to end.
test: setup
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS)

clean:
	rm -rf .build .wxsidecar-dev
