# vmlab - one Makefile. `make demo` and `make test` are the two commands of the README.
# Sources are found by wildcard: a new file under lib/ arch/ mm/ kernel/ fs/ sim/ joins the
# library, a new tests/unit/test_*.c becomes a unit test, a new bench/*.c a benchmark.

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
OPT     ?= -O3 -g
SAN     ?=
# gcc's link-time optimization for the program and the benchmarks: the access and fault paths
# cross many files (mm/, arch/x86/), and inlining across them is worth about 15% of replay's
# time (BENCHMARKS.md). The objects keep their ordinary code too (fat), so the unit tests link
# quickly without it. Off for clang (whose LTO needs a linker plugin), without gcc-ar, and for
# the sanitizer builds.
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -qi clang && echo 1)
HAVE_GCC_AR := $(shell command -v gcc-ar 2>/dev/null)
LTO     ?= $(if $(CC_IS_CLANG),,$(if $(HAVE_GCC_AR),-flto=auto -ffat-lto-objects,))
AR      := $(if $(LTO),gcc-ar,ar)
LTO_LINK:= $(if $(LTO),$(OPT) -flto=auto,)
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	-Iinclude -I. $(OPT) $(SAN) $(EXTRA_CFLAGS)
CFLAGS  := $(BASE_CFLAGS) $(LTO)
LDFLAGS := $(SAN) $(EXTRA_LDFLAGS)
LDLIBS  := -lzstd -lm -lpthread

LIB_SRCS  := $(sort $(wildcard lib/*.c arch/x86/*.c mm/*.c mm/policy/*.c kernel/*.c fs/*.c fs/proc/*.c sim/*.c))
CLI_SRCS  := $(sort $(wildcard cli/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS:= $(sort $(wildcard bench/*.c))

LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BINS:= $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
HEADERS   := $(wildcard include/*.h lib/*.h arch/x86/*.h mm/*.h mm/policy/*.h kernel/*.h fs/*.h fs/proc/*.h sim/*.h tests/unit/*.h)

.PHONY: all deps demo test asan bench install clean soak fuzz fuzz-deps valgrind
all: $(BUILD)/vmlab $(BUILD)/libvmlab.a $(UNIT_BINS)

deps:
	@sh scripts/deps.sh

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libvmlab.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/vmlab: $(CLI_OBJS) $(BUILD)/libvmlab.a
	$(CC) $(LDFLAGS) $(LTO_LINK) -o $@ $(CLI_OBJS) $(BUILD)/libvmlab.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvmlab.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libvmlab.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libvmlab.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $(LTO_LINK) -o $@ $< $(BUILD)/libvmlab.a $(LDLIBS)

# The main job on a built-in default: the tour scenario with its /proc views.
demo: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/vmlab run examples/tour.vms

# Every test: unit tests, example and test scenarios (with --check), malformed scenarios.
test: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/run-tests.sh $(BUILD)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" LTO= \
	SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" all
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	sh scripts/run-tests.sh build-asan

# The unit tests and the examples once under valgrind memcheck (zero errors, zero leaks).
VALGRIND := valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect
valgrind: deps
	@$(MAKE) --no-print-directory all
	@command -v valgrind >/dev/null || { echo "valgrind: not installed"; exit 1; }
	@set -e; for t in $(BUILD)/tests/test_mm $(BUILD)/tests/test_api $(BUILD)/tests/test_vmscript; do \
	  $(VALGRIND) $$t > /dev/null; echo "valgrind: $$t clean"; done
	@$(VALGRIND) $(BUILD)/tests/test_random 4 500 > /dev/null; echo "valgrind: test_random (4 seeds) clean"
	@set -e; for s in examples/*.vms; do $(VALGRIND) $(BUILD)/vmlab run --check --quiet $$s > /dev/null; done; \
	  echo "valgrind: examples clean"

# Randomized differential testing for as long as asked: make soak SOAK_SECONDS=3600
SOAK_SECONDS ?= 600
soak: deps
	@$(MAKE) --no-print-directory $(BUILD)/tests/test_random
	SOAK_SECONDS=$(SOAK_SECONDS) ./$(BUILD)/tests/test_random

# libFuzzer (clang, Debian's libclang-rt): every tests/fuzz/fuzz_NAME.c is a harness with its
# seed corpus in tests/fuzz/corpus/NAME. `make fuzz` runs each for FUZZ_SECONDS (default 60);
# `make fuzz-NAME` one of them. New inputs go to build-fuzz/corpus-NAME (the committed corpus
# is only read); a crash leaves build-fuzz/crash-* and fails the target.
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(filter-out cli/%,$(LIB_SRCS))
FUZZ_NAMES := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_CC ?= clang
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS) $(HEADERS)
	@mkdir -p build-fuzz
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Iinclude -I. -g -O1 -fsanitize=fuzzer,address,undefined \
	  -o $@ $< $(FUZZ_SRCS) -lzstd -lm -lpthread
fuzz-%: build-fuzz/fuzz_% fuzz-deps
	@mkdir -p build-fuzz/corpus-$*
	cd build-fuzz && ./fuzz_$* -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
	  -print_final_stats=1 corpus-$* ../tests/fuzz/corpus/$*
.PRECIOUS: build-fuzz/fuzz_%
fuzz-deps:
	@sh scripts/deps.sh fuzz
fuzz: fuzz-deps
	@set -e; for n in $(FUZZ_NAMES); do $(MAKE) --no-print-directory fuzz-$$n; done

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@sh bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	$(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/vmlab $(DESTDIR)$(PREFIX)/bin/vmlab
	install -m 644 $(BUILD)/libvmlab.a $(DESTDIR)$(PREFIX)/lib/libvmlab.a
	install -m 644 include/vmlab.h $(DESTDIR)$(PREFIX)/include/vmlab.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' scripts/vmlab.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/vmlab.pc

clean:
	rm -rf build build-asan build-clang build-fuzz
