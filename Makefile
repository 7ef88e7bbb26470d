# hilbench: host CLI, firmware, tests. `make help` lists the targets.
#
# The host is built twice: build/hilbench (optimised, what `make run` uses)
# and build/asan/hilbench (AddressSanitizer + UBSan, what `make test` uses).
# Firmware is built per board by target-fw/firmware.mk, which the CLI runs
# itself (`hilbench build`), so `make` here only needs the host.

BUILD      := build
PKGS       := libserialport libcjson libusb-1.0 zlib
CC         ?= gcc
FUZZ_CC    := clang
VERSION    := 0.1.0
GIT_REV    := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

# Evaluated when make reads this file. `run`, `test` and `bench` install the
# packages first and then build in a new make, which reads the flags afresh:
# on a fresh machine pkg-config and the -dev packages exist only after that.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

INCLUDES   := -Ihost -Itarget-fw/proto -Itarget-fw/nn -Itarget-fw/core
DEFINES    := -D_GNU_SOURCE -DHB_VERSION='"$(VERSION)"' -DHB_GIT_REV='"$(GIT_REV)"' \
              -DHB_SOURCE_ROOT='"$(CURDIR)"'
WARNINGS   := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
CFLAGS_ALL := -std=c11 -ffp-contract=off $(WARNINGS) $(INCLUDES) $(DEFINES) $(PKG_CFLAGS) -MMD -MP
RELEASE_CFLAGS := $(CFLAGS_ALL) -O2 -g
SANITIZE   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS := $(CFLAGS_ALL) -O1 -g $(SANITIZE)

# Portable code shared with the firmware, compiled into the host as well.
SHARED_SRCS := $(wildcard target-fw/proto/*.c) $(wildcard target-fw/nn/*.c)
# One folder per subsystem (docs/architecture.md); main.c is the only file at the top.
HOST_DIRS  := cmd config lab link flash meter model run report util
HOST_LIB_SRCS := $(foreach dir,$(HOST_DIRS),$(wildcard host/$(dir)/*.c)) $(SHARED_SRCS)
HOST_SRCS  := host/main.c $(HOST_LIB_SRCS)
UNIT_SRCS  := $(wildcard tests/unit/*.c) tests/emu/trace_synth.c
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)

release_obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
asan_obj    = $(patsubst %.c,$(BUILD)/asan/obj/%.o,$(1))

.PHONY: all run test unit fuzz e2e bench deps firmware lint format clean help
all: $(BUILD)/hilbench

# The objects that embed GIT_REV depend on a file holding it, rewritten only
# when it changes: make does not see a changed -D flag, so a binary went on
# naming the revision it was first built at in every record it wrote.
REV_STAMP   := $(BUILD)/git_rev
REV_USERS   := host/main.c host/run/result.c
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(REV_STAMP) 2>/dev/null)" = "$(GIT_REV)" ] || echo "$(GIT_REV)" >$(REV_STAMP); })
$(call release_obj,$(REV_USERS)) $(call asan_obj,$(REV_USERS)): $(REV_STAMP)

help:
	@echo "make run     install what is missing, build, run the fmnist suite (200 samples) on qemu-m4"
	@echo "make test    unit tests (Criterion), fuzz smoke runs and end-to-end tests, under ASan+UBSan"
	@echo "make         build build/hilbench only"
	@echo "make bench   hilbench's protocol (pipelined, one request at a time) vs the MLPerf Tiny ASCII protocol on qemu-m4; instructions/MAC per kernel shape and model on every emulated core"
	@echo "make deps    install missing Debian packages (scripts/install-deps.sh)"
	@echo "make lint    clang-format check of every C file (part of make test; 'make format' fixes)"
	@echo "make clean   remove build/"

deps:
	@scripts/install-deps.sh

# Building without the libraries would stop at a missing header; say what to do.
ifneq ($(filter-out deps run test bench lint format clean help,$(or $(MAKECMDGOALS),all)),)
ifeq ($(PKG_LIBS),)
$(error pkg-config or the libraries ($(PKGS)) are missing: 'make deps' installs them ('make run' and 'make test' do it themselves))
endif
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -c $< -o $@

$(BUILD)/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c $< -o $@

$(BUILD)/hilbench: $(call release_obj,$(HOST_SRCS))
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(PKG_LIBS) -lm

$(BUILD)/asan/hilbench: $(call asan_obj,$(HOST_SRCS))
	$(CC) $(ASAN_CFLAGS) $^ -o $@ $(PKG_LIBS) -lm

BENCH_SRCS := tests/bench/bench_protocols.c

$(BUILD)/bench_protocols: $(call release_obj,$(HOST_LIB_SRCS) $(BENCH_SRCS))
	$(CC) $(RELEASE_CFLAGS) $^ -o $@ $(PKG_LIBS) -lm

$(BUILD)/make_kernel_model: tests/bench/make_kernel_model.c tests/unit/test_graph.c $(call release_obj,$(HOST_LIB_SRCS))
	$(CC) $(RELEASE_CFLAGS) -Itests/unit $^ -o $@ $(PKG_LIBS) -lcriterion -lm

# A benchmark, not a test: both protocols side by side in one run, ratio printed;
# then instructions/MAC per kernel shape and per model on every emulated core
# (qemu-m0, m3, m4, m7, m33, m55) through `hilbench run`. One timed run each:
# QEMU -icount counts are the same on every run, so more only cost time.
bench: deps
	$(MAKE) --no-print-directory $(BUILD)/bench_protocols $(BUILD)/hilbench $(BUILD)/make_kernel_model
	$(BUILD)/bench_protocols qemu-m4 50
	tests/bench/bench_models.py $(BUILD)/hilbench --kernel-models $(BUILD)/make_kernel_model --runs 1

$(BUILD)/asan/unit_tests: $(call asan_obj,$(HOST_LIB_SRCS) $(UNIT_SRCS))
	$(CC) $(ASAN_CFLAGS) $^ -o $@ $(PKG_LIBS) -lcriterion -lm

# Fuzz targets link only what they need (listed in each file's FUZZ_DEPS line),
# from the host library and the firmware's core, kernels and protocol: any of
# those files or their headers changing rebuilds them (a wider net than each
# target's own list, kept so because that list is read from the source).
FUZZ_INPUTS := $(HOST_LIB_SRCS) $(wildcard host/*/*.h target-fw/*/*.[ch] tests/fuzz/*.[ch])
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_INPUTS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -ffp-contract=off -g -O1 -fsanitize=fuzzer,address,undefined $(INCLUDES) $(DEFINES) \
		$(PKG_CFLAGS) $< $(shell sed -n 's/^.*FUZZ_DEPS: *\([^*]*\).*$$/\1/p' $<) -o $@ $(PKG_LIBS) -lm

run: deps
	$(MAKE) --no-print-directory $(BUILD)/hilbench
	$(BUILD)/hilbench run --board qemu-m4 --suite suites/fmnist
	$(BUILD)/hilbench report results --out results/report.html --out results/report.md

# Emulators of instruments (energy meters) on a pty: tests/emu/NAME_emu.c, each
# replaying tests/emu/trace_synth.c's trace in its instrument's byte protocol.
EMU_TOOLS := $(patsubst tests/emu/%.c,$(BUILD)/tools/%,$(wildcard tests/emu/*_emu.c))
$(BUILD)/tools/%_emu: tests/emu/%_emu.c tests/emu/emu_pty.c tests/emu/trace_synth.c
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -Itests/emu $^ -o $@ -lm

unit: $(BUILD)/asan/unit_tests $(EMU_TOOLS)
	HB_TOOLS=$(CURDIR)/$(BUILD)/tools ASAN_OPTIONS=detect_leaks=1 $(BUILD)/asan/unit_tests --jobs 2

FUZZ_RUNS ?= 20000
fuzz: $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
	@for target in $^; do \
		echo "fuzz: $$target ($(FUZZ_RUNS) runs)"; \
		name=$$(basename $$target); mkdir -p $(BUILD)/fuzz/corpus/$$name; \
		$$target -runs=$(FUZZ_RUNS) -seed=1 $(BUILD)/fuzz/corpus/$$name tests/fuzz/corpus/$$name \
			>$$target.log 2>&1 || { tail -40 $$target.log; exit 1; }; \
	done

# A long campaign, not a test: each target FUZZ_CAMPAIGN_RUNS executions, one
# process at a time, nice'd, into build/fuzz/campaign/NAME; prints a table
# (executions, cov, ft, corpus, crashes). FUZZ_TARGETS narrows it. The
# script rebuilds each target first (make -B), so a campaign never runs a
# binary built with other flags.
FUZZ_CAMPAIGN_RUNS ?= 10000000
.PHONY: fuzz-campaign
fuzz-campaign:
	scripts/fuzz-campaign -n $(FUZZ_CAMPAIGN_RUNS) $(FUZZ_TARGETS)

# Test tools: small programs the e2e tests run (built with the host library).
$(BUILD)/tools/make_image_model: tests/tools/make_image_model.c tests/unit/test_graph.c $(call release_obj,$(HOST_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -Itests/unit $^ -o $@ $(PKG_LIBS) -lcriterion -lm

$(BUILD)/tools/make_dense_model: tests/tools/make_dense_model.c tests/unit/test_graph.c $(call release_obj,$(HOST_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -Itests/unit $^ -o $@ $(PKG_LIBS) -lcriterion -lm

# The bench's kernel-shape models, for the e2e check of the M0's kernels.
$(BUILD)/tools/make_kernel_model: tests/bench/make_kernel_model.c tests/unit/test_graph.c $(call release_obj,$(HOST_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -Itests/unit $^ -o $@ $(PKG_LIBS) -lcriterion -lm

e2e: $(BUILD)/asan/hilbench $(BUILD)/tools/make_image_model $(BUILD)/tools/make_dense_model \
	$(BUILD)/tools/make_kernel_model $(EMU_TOOLS)
	HB_TOOLS=$(CURDIR)/$(BUILD)/tools tests/e2e/run.sh $(BUILD)/asan/hilbench

# What the tests run is built first on every core; the test runs themselves
# get a make without a jobserver (they spawn make for the firmware).
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	$(MAKE) lint
	$(MAKE) -j$(TEST_JOBS) $(BUILD)/asan/unit_tests $(BUILD)/asan/hilbench $(EMU_TOOLS) \
		$(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS)) \
		$(BUILD)/tools/make_image_model $(BUILD)/tools/make_dense_model \
		$(BUILD)/tools/make_kernel_model
	$(MAKE) unit
	$(MAKE) fuzz
	$(MAKE) e2e

# Every C file we own, as .clang-format formats it; `make test` runs the check.
LINT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
lint:
	@clang-format --dry-run --Werror $(LINT_SRCS) && echo "lint: $(words $(LINT_SRCS)) files formatted"

format:
	clang-format -i $(LINT_SRCS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
