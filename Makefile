# Seatline: one entry point for the chores. `make help` lists the targets.
#
# Every target installs what it needs first, guarded so that a second run is quick:
# Debian packages are checked with dpkg (apt-get update runs only when one is missing),
# rustup is asked what it has, and tools that come from PyPI and npm go into the
# project-local, gitignored $(TOOLS) folder behind a versioned path, so a fresh clone
# (CI) installs them again and `make clean-tools` forgets them.
#
# Exported to every recipe and script (override on the command line, e.g. `make ZIG=...`):
#   TOOLS                  $(CURDIR)/.tools, the project-local tool folder
#   ZIG                    zig from PyPI's `ziglang` $(ZIG_VERSION): check-mobile's C cross-compiler
#   KOTLIN_HOME            JetBrains' Kotlin compiler $(KOTLIN_VERSION), from npm's `kotlin-compiler`
#   KOTLINC                $(KOTLIN_HOME)/bin/kotlinc
#   KOTLIN_STDLIB_JAR      $(KOTLIN_HOME)/lib/kotlin-stdlib.jar
#   KOTLIN_COROUTINES_JAR  $(KOTLIN_HOME)/lib/kotlinx-coroutines-core-jvm.jar (UniFFI async)
#   JNA_JAR                Debian libjna-java's jna.jar (UniFFI's Kotlin runtime)
#   JUNIT_JAR              Debian junit5's junit-platform-console-standalone.jar
#   PATH                   gains $(TOOLS)/bin (zig) and $(KOTLIN_HOME)/bin (kotlinc, kotlin)
#   DEBIAN_FRONTEND, npm_config_yes, PIP_NO_INPUT: nothing prompts (CI has no stdin)
# `make test` also exports, to the test run only, SEATLINE_TEST_PG_URL (from
# scripts/postgres.sh start) and SEATLINE_REQUIRE_PG=1.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

TOOLS := $(CURDIR)/.tools

ZIG_VERSION := 0.17.1
ZIG_DIR := $(TOOLS)/zig-$(ZIG_VERSION)
ZIG ?= $(ZIG_DIR)/ziglang/zig

KOTLIN_VERSION := 2.4.20
KOTLIN_HOME ?= $(TOOLS)/kotlinc
KOTLIN_STAMP := $(KOTLIN_HOME)/.seatline-kotlin-$(KOTLIN_VERSION)
KOTLINC := $(KOTLIN_HOME)/bin/kotlinc
KOTLIN_STDLIB_JAR := $(KOTLIN_HOME)/lib/kotlin-stdlib.jar
KOTLIN_COROUTINES_JAR := $(KOTLIN_HOME)/lib/kotlinx-coroutines-core-jvm.jar

JNA_JAR := /usr/share/java/jna.jar
JUNIT_JAR := /usr/share/java/junit-platform-console-standalone.jar

# Debian packages. Base: the platform's PostgreSQL tests, the sqlite3 shell, cmake for
# C libraries built with cmake (also for check-mobile's cmake toolchain files).
# JVM: what the Kotlin bindings' tests run with (plus a JDK if there is no java at all).
APT_BASE := postgresql sqlite3 cmake
APT_JVM := libjna-java junit5 $(if $(shell command -v java),,default-jdk-headless)
# Peers: the real peers the tests drive through seatline-testpeers (baresip phones, SIPp,
# kamailio, rtpengine, headless Chromium) and ALSA headers for the audio crates.
APT_PEERS := baresip-core sip-tester kamailio rtpengine-daemon chromium libasound2-dev

export TOOLS ZIG KOTLIN_HOME KOTLINC KOTLIN_STDLIB_JAR KOTLIN_COROUTINES_JAR JNA_JAR JUNIT_JAR
export PATH := $(TOOLS)/bin:$(KOTLIN_HOME)/bin:$(PATH)
export DEBIAN_FRONTEND := noninteractive
export npm_config_yes := true
export npm_config_fund := false
export npm_config_audit := false
export npm_config_update_notifier := false
export PIP_NO_INPUT := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup setup-apt setup-apt-base setup-apt-jvm setup-rust setup-zig setup-kotlin \
        setup-cmake fmt-check lint clippy test check-mobile bindings kotlin-test swift-check demo bench \
        clean-tools

help:
	@echo "Seatline make targets:"
	@echo "  setup          everything below (setup-apt setup-rust setup-zig setup-kotlin)"
	@echo "  setup-apt      Debian: $(APT_BASE) $(APT_JVM) $(APT_PEERS)"
	@echo "  setup-rust     rustup rustfmt/clippy, phone targets, cargo-nextest if missing"
	@echo "  setup-zig      PyPI ziglang==$(ZIG_VERSION) into $(ZIG_DIR)"
	@echo "  setup-kotlin   npm kotlin-compiler@$(KOTLIN_VERSION) into $(KOTLIN_HOME)"
	@echo "  fmt-check      cargo fmt --all -- --check"
	@echo "  lint           fmt-check, then cargo clippy --workspace --all-targets -- -D warnings"
	@echo "  test           setup, lint, PostgreSQL, build, nextest, check-mobile, kotlin-test, swift-check"
	@echo "  check-mobile   cargo check core + ffi for Android arm64/x86_64 and iOS arm64 (zig cc)"
	@echo "  bindings       bindings/generate.sh (Kotlin and Swift from the UniFFI library)"
	@echo "  kotlin-test    Kotlin bindings and the Android view models, on the JVM"
	@echo "  swift-check    the iOS Swift and the generated Swift bindings parse (tree-sitter)"
	@echo "  demo           scripts/demo.sh"
	@echo "  bench          scripts/bench.sh"
	@echo "  clean-tools    remove $(TOOLS)"

# --- setup -------------------------------------------------------------------------------

setup: setup-apt setup-rust setup-zig setup-kotlin

setup-apt:
	@scripts/ensure-apt.sh $(APT_BASE) $(APT_JVM) $(APT_PEERS)

setup-apt-base:
	@scripts/ensure-apt.sh $(APT_BASE)

setup-apt-jvm:
	@scripts/ensure-apt.sh $(APT_JVM)

setup-cmake:
	@command -v cmake >/dev/null 2>&1 || scripts/ensure-apt.sh cmake

setup-rust:
	@scripts/ensure-rust.sh

setup-zig: $(ZIG) $(TOOLS)/bin/zig

# pip --target into a temporary folder, then rename: an interrupted install never looks done.
$(ZIG):
	@echo "setup-zig: pip install ziglang==$(ZIG_VERSION) into $(ZIG_DIR)"
	@command -v python3 >/dev/null 2>&1 || scripts/ensure-apt.sh python3 python3-pip
	rm -rf "$(ZIG_DIR).tmp"
	python3 -m pip install --quiet --root-user-action=ignore --target "$(ZIG_DIR).tmp" "ziglang==$(ZIG_VERSION)"
	test -x "$(ZIG_DIR).tmp/ziglang/zig"
	rm -rf "$(ZIG_DIR)"
	mv "$(ZIG_DIR).tmp" "$(ZIG_DIR)"
	touch "$@"
	@echo "setup-zig: zig $$("$@" version)"

$(TOOLS)/bin/zig: $(ZIG)
	mkdir -p "$(TOOLS)/bin"
	ln -sfn "$(ZIG)" "$@"

setup-kotlin: $(KOTLIN_STAMP)

# The npm package is JetBrains' compiler distribution under package/ (bin/kotlinc,
# lib/kotlin-stdlib.jar, lib/kotlinx-coroutines-core-jvm.jar); Debian's kotlin is too old.
$(KOTLIN_STAMP):
	@echo "setup-kotlin: npm pack kotlin-compiler@$(KOTLIN_VERSION) into $(KOTLIN_HOME)"
	@command -v npm >/dev/null 2>&1 || scripts/ensure-apt.sh npm
	@command -v java >/dev/null 2>&1 || scripts/ensure-apt.sh default-jdk-headless
	rm -rf "$(KOTLIN_HOME).tmp"
	mkdir -p "$(KOTLIN_HOME).tmp"
	cd "$(KOTLIN_HOME).tmp" && npm pack --silent "kotlin-compiler@$(KOTLIN_VERSION)" >/dev/null
	tar -xzf "$(KOTLIN_HOME).tmp/kotlin-compiler-$(KOTLIN_VERSION).tgz" \
	    -C "$(KOTLIN_HOME).tmp" --strip-components=1
	rm -f "$(KOTLIN_HOME).tmp/kotlin-compiler-$(KOTLIN_VERSION).tgz"
	test -x "$(KOTLIN_HOME).tmp/bin/kotlinc"
	test -f "$(KOTLIN_HOME).tmp/lib/kotlinx-coroutines-core-jvm.jar"
	rm -rf "$(KOTLIN_HOME)"
	mv "$(KOTLIN_HOME).tmp" "$(KOTLIN_HOME)"
	touch "$@"
	@echo "setup-kotlin: $$("$(KOTLINC)" -version 2>&1 | tail -n 1)"

# --- checks ------------------------------------------------------------------------------

fmt-check: setup-rust
	cargo fmt --all -- --check || { echo "fmt-check: run 'cargo fmt --all'" >&2; exit 1; }

clippy: setup-rust
	cargo clippy --workspace --all-targets -- -D warnings

lint: fmt-check
	@$(MAKE) clippy

test: setup lint
	@scripts/test.sh

check-mobile: setup-rust setup-zig setup-cmake
	@scripts/check-mobile.sh

# --- bindings, demo, bench ---------------------------------------------------------------

bindings: setup-rust
	@if [ -f bindings/generate.sh ]; then \
	  bash bindings/generate.sh; \
	else \
	  echo "bindings: bindings/generate.sh is not written yet: nothing generated"; \
	fi

# The generated Kotlin bindings against a real platform, then the Android shell's plain-
# Kotlin view models (android/shared-ui), both compiled with kotlinc and run on the JVM.
kotlin-test: setup-rust setup-apt-jvm setup-kotlin
	@bash bindings/kotlin/run-tests.sh
	@bash android/shared-ui/run-jvm-tests.sh

# The iOS shell's Swift and the generated Swift bindings parse (no Swift compiler here).
swift-check:
	@bash ios/check-swift.sh

demo: setup
	@[ -f scripts/demo.sh ] || { echo "demo: scripts/demo.sh is not written yet" >&2; exit 1; }
	@bash scripts/demo.sh

bench: setup-rust
	@scripts/bench.sh

clean-tools:
	rm -rf "$(TOOLS)"
