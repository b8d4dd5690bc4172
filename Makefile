# eaves: roofline and LLM-decode toolkit.
#   make            build build/eaves
#   make run        install missing packages, build, characterize this machine
#   make test       install missing packages, build, run every test
#   make test-aarch64  cross-build for aarch64 and run the tests under qemu-user
#   make bench      speed targets against likwid-bench / STREAM -> docs/performance.md
#   make fuzz       libFuzzer targets for every parser (FUZZ_SECONDS each)
#   make mca        decode inner loops on ARM and RISC-V core models (llvm-mca): a model, not a measurement
#   make valgrind   a smoke characterize under valgrind memcheck
#   make format     clang-format every C file
# Knobs: SANITIZE=address,undefined,float-cast-overflow  WERROR=1  CROSS=aarch64-linux-gnu- (cross build)

# CROSS=aarch64-linux-gnu- builds with Debian's cross toolchain into build-aarch64
# (scripts/deps-cross.sh installs it and the arm64 libraries), e.g. a binary for
# boards without a compiler (scripts/fleet).
ifneq ($(CROSS),)
CC         := $(CROSS)gcc
CROSS_TRIPLE := $(patsubst %-,%,$(CROSS))
BUILD      ?= build-$(firstword $(subst -, ,$(CROSS_TRIPLE)))
PKG_CONFIG ?= env PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS_TRIPLE)/pkgconfig:/usr/share/pkgconfig pkg-config
endif
CC       ?= cc
PKG_CONFIG ?= pkg-config
ARCH     := $(shell $(CC) -dumpmachine | cut -d- -f1)
VERSION  := 0.1.0

ifeq ($(CI),true)
WERROR ?= 1
endif

ifneq ($(SANITIZE),)
BUILD    ?= build-san
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD    ?= build
SANFLAGS :=
endif

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2 \
            -Wno-format-truncation
ifeq ($(WERROR),1)
WARN     += -Werror
endif
OPT      ?= -O2
DEPCFLAGS := $(shell $(PKG_CONFIG) --cflags hwloc libcjson 2>/dev/null)
DEPLIBS   := $(shell $(PKG_CONFIG) --libs hwloc libcjson 2>/dev/null || echo -lhwloc -lcjson) -lpfm -ldl
# GPUs (src/core/gpudev.c): the Vulkan headers and glslc at build time, the loader
# (libvulkan.so.1) opened at run time; without them the GPU figures say
# "built without Vulkan".
HAVE_VULKAN := $(shell $(PKG_CONFIG) --exists vulkan 2>/dev/null && command -v glslc >/dev/null && echo 1)
SHADERS     := $(wildcard probes/shaders/*.comp)
# Layers (docs/architecture.md): each folder sees only the headers of the layers
# below it, so an include against the flow fails to build.
#   src/core   core services          sees: core
#   probes     microbenchmarks        sees: core, probes
#   roofline   pure math              sees: core, roofline
#   reports    JSON, Markdown, plots  sees: core, roofline, reports
#   src        the application        sees: everything
CPPFLAGS += -D_GNU_SOURCE -I$(BUILD)
ifeq ($(HAVE_VULKAN),1)
CPPFLAGS += -DEV_HAVE_VULKAN -I$(BUILD)/shaders $(shell $(PKG_CONFIG) --cflags vulkan)
endif
INC_core     := -Isrc/core
INC_probes   := $(INC_core) -Iprobes
INC_roofline := $(INC_core) -Iroofline
INC_reports  := $(INC_roofline) -Ireports
INC_src      := $(INC_core) -Iprobes -Iroofline -Ireports -Isrc
layer_of = $(if $(filter src/core/%,$(1)),core,$(firstword $(subst /, ,$(1))))
CFLAGS   ?= $(OPT) -g
ALLCFLAGS = -std=c11 $(CFLAGS) $(WARN) $(SANFLAGS) $(DEPCFLAGS)
LDLIBS   := $(DEPLIBS) -lpthread -lm
LDFLAGS  += $(SANFLAGS)

# Kernels per feature set (src/core/cpu.h EV_TARGETS): probes/<family>-<set>.c
# is compiled with exactly FLAGS_<set> and dispatched only where the CPU has
# every feature of that set; tests/test-dispatch.c checks the two agree.
ISA_x86_64  := avx2 avxvnni avx512 avx512vnni avx512bf16 avx512fp16
ISA_aarch64 := neon fp16 dotprod i8mm sve
ISAS        := $(ISA_$(ARCH))
FLAGS_avx2       := -mavx2 -mfma -mf16c
FLAGS_avxvnni    := $(FLAGS_avx2) -mavxvnni
FLAGS_avx512     := $(FLAGS_avx2) -mavx512f -mavx512bw -mavx512vl -mavx512dq
FLAGS_avx512vnni := $(FLAGS_avx512) -mavx512vnni
FLAGS_avx512bf16 := $(FLAGS_avx512) -mavx512bf16
FLAGS_avx512fp16 := $(FLAGS_avx512) -mavx512fp16
FLAGS_neon       := -march=armv8-a
FLAGS_fp16       := -march=armv8.2-a+fp16
FLAGS_dotprod    := -march=armv8.2-a+dotprod
FLAGS_i8mm       := -march=armv8.2-a+dotprod+i8mm
FLAGS_sve        := -march=armv8.2-a+sve
# RVV: the in-order SiFive 7 schedule (LLVM 19 X280 model: q8_0 223 -> 147 cycles per 4 blocks at
# VLEN 512; the out-of-order P670 model within 10%: docs/methodology.md)
FLAGS_rvv        := -march=rv64gcv -mtune=sifive-7-series
set_flags = $(if $(FLAGS_$(1)),$(FLAGS_$(1)) -DEV_FILE_SET='"$(1)"')
ISA_riscv64 := rvv
ALL_ISAS    := $(ISA_x86_64) $(ISA_aarch64) $(ISA_riscv64)
OTHER_ISAS  := $(filter-out $(ISAS),$(ALL_ISAS))

isa_of = $(lastword $(subst -, ,$(basename $(notdir $(1)))))
isa_files = $(foreach i,$(1),$(wildcard probes/*-$(i).c))

PROBE_ALL  := $(wildcard probes/*.c)
PROBE_SRC  := $(filter-out $(call isa_files,$(OTHER_ISAS)),$(PROBE_ALL))
LIB_SRC    := $(wildcard src/core/*.c) $(filter-out src/main.c,$(wildcard src/*.c)) \
              $(wildcard roofline/*.c reports/*.c) $(PROBE_SRC)
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC))
TEST_SRC   := $(wildcard tests/test-*.c)
TEST_BIN   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BIN        := $(BUILD)/eaves

.PHONY: all run test test-aarch64 test-riscv64 riscv64-tests bench fuzz mca valgrind format clean deps check-tests version-stamp
all: $(BIN)

GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
GIT_DIRTY  := $(shell test -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" && echo -dirty)
$(BUILD)/version.h: version-stamp
	@mkdir -p $(BUILD)
	@printf '#define EV_VERSION "%s"\n#define EV_COMMIT "%s"\n#define EV_COMPILER "%s"\n#define EV_CFLAGS "%s"\n' \
		'$(VERSION)' '$(GIT_COMMIT)$(GIT_DIRTY)' "$$($(CC) --version | head -1)" '$(strip $(ALLCFLAGS))' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/%.o: %.c | $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_$(call layer_of,$<)) $(ALLCFLAGS) -MMD -MP -c $< -o $@

# Generic probe kernels: keep the compiler from turning loops into libc memcpy/memset calls.
NOLIBCALL := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -1)),-fno-builtin,-fno-tree-loop-distribute-patterns)
$(BUILD)/probes/%.o: probes/%.c | $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_probes) $(ALLCFLAGS) $(NOLIBCALL) $(call set_flags,$(call isa_of,$<)) -MMD -MP -c $< -o $@

# Compute shaders: SPIR-V as C word lists, included by probes/gpu.c.
$(BUILD)/shaders/%.inc: probes/shaders/%.comp
	@mkdir -p $(dir $@)
	glslc --target-env=vulkan1.1 -O -mfmt=c $< -o $@
# the decode step's GEMV again, folding through workgroup memory (no subgroup arithmetic)
$(BUILD)/shaders/gpu-gemv-wg.inc: probes/shaders/gpu-gemv.comp
	@mkdir -p $(dir $@)
	glslc --target-env=vulkan1.1 -O -DEV_WG_REDUCE -mfmt=c $< -o $@
# the cooperative-matrix peak again, with fp32 accumulators
$(BUILD)/shaders/gpu-coopmat32.inc: probes/shaders/gpu-coopmat.comp
	@mkdir -p $(dir $@)
	glslc --target-env=vulkan1.1 -O -DEV_ACC32 -mfmt=c $< -o $@
ifeq ($(HAVE_VULKAN),1)
$(BUILD)/probes/gpu.o: $(patsubst probes/shaders/%.comp,$(BUILD)/shaders/%.inc,$(SHADERS)) \
	$(BUILD)/shaders/gpu-gemv-wg.inc $(BUILD)/shaders/gpu-coopmat32.inc
endif

$(BUILD)/libeaves.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(BUILD)/libeaves.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libeaves.a tests/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_src) -Itests $(ALLCFLAGS) -o $@ $< $(BUILD)/libeaves.a $(LDFLAGS) $(LDLIBS)

deps:
	@sh scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(BIN) characterize $(RUN_ARGS)

# In CI (CI=true) or with EAVES_TEST_ARM=1 the suite also runs under
# AddressSanitizer and UBSan, and cross-built for aarch64 under qemu-user.
CROSS_AARCH64 = $(MAKE) --no-print-directory CC=aarch64-linux-gnu-gcc BUILD=build-aarch64 \
	PKG_CONFIG="env PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config"
ifeq ($(CI),true)
EAVES_TEST_ARM ?= 1
endif
# The fleet test (tests/test-fleet.c) drives Ansible over its own sshd, the mca
# test (tests/test-mca.c) llvm-mca-16, test-gpu's SPIR-V check spirv-val: each is
# a skip, with the reason, where its packages cannot be installed.
TEST_DEPS := ansible-core openssh-server openssh-client
test: deps
	@EAVES_DEPS_EXTRA="$(TEST_DEPS)" sh scripts/deps.sh || \
		echo "test: could not install $(TEST_DEPS): the fleet test will be skipped"
	@EAVES_DEPS_EXTRA="llvm-16 jq" sh scripts/deps.sh || \
		echo "test: could not install llvm-16 and jq: the llvm-mca test will be skipped"
	@EAVES_DEPS_EXTRA="llvm-19" sh scripts/deps.sh || \
		echo "test: could not install llvm-19: the RISC-V part of the llvm-mca test will be skipped"
	@EAVES_DEPS_EXTRA="spirv-tools" sh scripts/deps.sh || \
		echo "test: could not install spirv-tools: the SPIR-V check of the cooperative-matrix shader will be skipped"
	@$(MAKE) --no-print-directory all check-tests
ifeq ($(EAVES_TEST_ARM),1)
	@$(MAKE) --no-print-directory SANITIZE=address,undefined,float-cast-overflow BUILD=build-san check-tests
	@if sh scripts/deps-cross.sh riscv64 && $(MAKE) --no-print-directory riscv64-tests; then \
		echo build-riscv64 build-riscv64:rv64,v=false > build-san/.rv; \
	else \
		echo "skip:riscv64 kernels: clang-16, the riscv64 cross toolchain or qemu could not be installed" > build-san/.rv; \
	fi
	@if sh scripts/deps-cross.sh && $(CROSS_AARCH64) check-tests; then \
		sh scripts/run-tests.sh $(BUILD) build-san build-aarch64 build-aarch64:cortex-a53 $$(cat build-san/.rv); \
	else \
		sh scripts/run-tests.sh $(BUILD) build-san $$(cat build-san/.rv) \
			"skip:aarch64 suite: the cross toolchain or arm64 libraries could not be installed or built"; \
	fi
else
	@sh scripts/run-tests.sh $(BUILD)
endif

# aarch64: cross-compiled with Debian's toolchain, tests run under qemu-user.
test-aarch64: deps
	@sh scripts/deps-cross.sh
	@$(CROSS_AARCH64) check-tests
	@sh scripts/run-tests.sh build-aarch64 build-aarch64:cortex-a53

check-tests: $(BIN) $(TEST_BIN)

# riscv64: the kernels only (Debian 12 has no riscv64 hwloc or cJSON to link eaves
# with): the RVV kernel files and their tests built with clang-16 (gcc 12 has no
# RVV intrinsics), linked by Debian's cross gcc, run under qemu-user with the
# vector extension (VLEN 256) and without it (-DEV_KERNELS_ONLY skips the tests
# that need the thread pool or the configs).
RV_BUILD  := build-riscv64
RV_CC     := clang-16 --target=riscv64-linux-gnu
RV_CORE   := src/core/cpu.c src/core/sysfs.c src/core/err.c src/core/mem.c
RV_PROBES := probes/quant.c probes/qlegacy.c probes/kquant.c probes/flops.c probes/bw.c \
             probes/bw-generic.c $(call isa_files,$(ISA_riscv64))
RV_OBJ    := $(patsubst %.c,$(RV_BUILD)/%.o,$(RV_CORE) $(RV_PROBES))
RV_TESTS  := $(addprefix $(RV_BUILD)/tests/,test-quant test-flops test-bw)
$(RV_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(RV_CC) -D_GNU_SOURCE -DEV_KERNELS_ONLY -Isrc/core -Iprobes -Itests -std=c11 -O2 $(WARN) \
		-Wno-unknown-warning-option \
		$(if $(filter %-rvv.c,$<),$(FLAGS_rvv) -DEV_FILE_SET='"rvv"',-march=rv64gc) -c $< -o $@
$(RV_BUILD)/tests/%: $(RV_BUILD)/tests/%.o $(RV_OBJ)
	riscv64-linux-gnu-gcc -o $@ $^ -lm
riscv64-tests: $(RV_TESTS)
test-riscv64:
	@sh scripts/deps-cross.sh riscv64
	@$(MAKE) --no-print-directory riscv64-tests
	@sh scripts/run-tests.sh build-riscv64 build-riscv64:rv64,v=false

bench: deps
	@EAVES_DEPS_EXTRA="likwid jq llvm-16 llvm-19 clpeak pocl-opencl-icd" sh scripts/deps.sh
	@sh scripts/deps-cross.sh || echo "bench: no aarch64 cross compiler: the llvm-mca section is skipped"
	@sh scripts/deps-cross.sh riscv64 || echo "bench: no riscv64 toolchain: the RISC-V llvm-mca section is skipped"
	@$(MAKE) --no-print-directory all $(BUILD)/tests/test-gguf
	sh scripts/bench.sh $(BIN)

# Static throughput of the ARM decode loops on LLVM's core models (scripts/mca.sh).
mca:
	@EAVES_DEPS_EXTRA="llvm-16 llvm-19 jq" sh scripts/deps.sh
	@sh scripts/deps-cross.sh
	@sh scripts/deps-cross.sh riscv64 || echo "mca: no riscv64 toolchain: the RISC-V section is skipped"
	@sh scripts/mca.sh

# Fuzzing (libFuzzer, Debian's clang): every parser and writer of untrusted input,
# FUZZ_SECONDS each, corpora in tests/fuzz/corpus/<target> (seeds are tracked;
# new inputs go to build-fuzz/corpus). A crash leaves its input in build-fuzz/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_MAKE     = $(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD=build-fuzz \
		SANITIZE=fuzzer-no-link,address,undefined
fuzz: deps
	@EAVES_DEPS_EXTRA="clang" sh scripts/deps.sh
	@$(FUZZ_MAKE) build-fuzz/libeaves.a
	@for t in $(FUZZ_TARGETS); do \
		$(FUZZ_CC) $(CPPFLAGS) -Ibuild-fuzz $(INC_src) -std=c11 -O1 -g \
			-fsanitize=fuzzer,address,undefined $(DEPCFLAGS) -o build-fuzz/$$t tests/fuzz/$$t.c \
			build-fuzz/libeaves.a $(LDLIBS) || exit 1; \
	done
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus/$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		build-fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -artifact_prefix=build-fuzz/$$t- \
			-print_final_stats=1 build-fuzz/corpus/$$t tests/fuzz/corpus/$$t > build-fuzz/$$t.log 2>&1; \
		rc=$$?; grep -E "stat::number_of_executed_units|DONE|ERROR|SUMMARY" build-fuzz/$$t.log | tail -4; \
		[ $$rc -eq 0 ] || { echo "fuzz: $$t found a crash: build-fuzz/$$t.log"; exit 1; }; \
	done

# valgrind: a smoke characterize (every step, tiny sizes) under memcheck, with
# --isa avx2 (valgrind does not emulate AVX-512); fails on any error or leak.
valgrind: all
	@EAVES_DEPS_EXTRA="valgrind" sh scripts/deps.sh
	valgrind --error-exitcode=9 --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect $(BIN) characterize \
		--profile tests/fixtures/profiles/smoke.json --isa avx2 --out $(BUILD)/valgrind >/dev/null

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-*

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d
