# promtool in C. `make` builds bin/promtool; see README.md for the rest.
#
# Sources are found by directory, so adding a .c file needs no edit here:
#   1-common/ ... 7-backfill/       -> libpromtool.a (all but the CLI); the
#                                      few .cc files (C++17, the RE2 shim in
#                                      2-model/) too, so we link with $(CXX)
#   8-promtool/                     -> the CLI, linked into bin/promtool
#   tests/unit/test_*.c             -> one binary each under bin/tests/
#   tests/fuzz/fuzz_*.c             -> one replay driver each under bin/fuzz/
#                                      (make fuzz-replay; make test runs them)
#                                      and one libFuzzer binary each under
#                                      build/fuzz/bin/ (make fuzz)
#   tests/conformance/test_*.c      -> one binary each under bin/conformance/
#   tests/conformance/promqltest*.c -> bin/promqltest, the PromQL .test runner
#
# `make test` runs what the repository holds; `make conformance` runs
# upstream's test files from CONFORMANCE_DIR (default ../shared/conformance).
#
# User CFLAGS (CXXFLAGS for C++) are added to ours, never substituted.
# `make STRICT=1` adds -Werror; `make SANITIZE=address,undefined` builds with
# sanitizers (both for C and C++).  Set CXX along with CC (clang++ with clang).

PREFIX  ?= /usr/local
CC      ?= cc
PKGS    := libcurl yaml-0.1 jansson snappy libxxhash re2 zlib libpcre2-8 libzstd

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl is opened at run time (5-query/curl_dl.c), not linked: its headers only.
PKG_LIBS   := $(filter-out -lcurl,$(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcurl -lyaml -ljansson -lsnappy -lxxhash -lre2 -lz -lpcre2-8 -lzstd))

BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wno-unused-parameter \
               -Wno-missing-field-initializers -I. -MMD -MP
BASE_CXXFLAGS := -std=c++17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wno-unused-parameter \
                 -Wno-missing-field-initializers -I. -MMD -MP
ifeq ($(STRICT),1)
BASE_CFLAGS += -Werror
BASE_CXXFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
BASE_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
BASE_CXXFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
BASE_LDFLAGS += -fsanitize=$(SANITIZE)
endif

ALL_CFLAGS  = $(BASE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_CXXFLAGS = $(BASE_CXXFLAGS) $(PKG_CFLAGS) $(CXXFLAGS)
ALL_LDFLAGS = $(BASE_LDFLAGS) $(LDFLAGS)
LIBS        = $(PKG_LIBS) -lm -lpthread

# The layers, lowest first (tests/sh/layers.sh checks that includes only
# point down): every numbered folder but the CLI goes into the library.
LAYERS   := $(sort $(wildcard [1-9]-*))
CLI_DIR  := 8-promtool
LIB_SRC  := $(wildcard $(addsuffix /*.c,$(filter-out $(CLI_DIR),$(LAYERS))))
LIB_SRC_CC := $(wildcard $(addsuffix /*.cc,$(filter-out $(CLI_DIR),$(LAYERS))))
CLI_SRC  := $(wildcard $(CLI_DIR)/*.c)
# The kingpin-style parser and the command table, for the tests that drive
# the CLI without the commands (tests/unit/test_cli.c, tests/fuzz/fuzz_cli.c).
CLI_LIB_SRC := $(addprefix $(CLI_DIR)/,cli.c cli_complete.c cli_help.c cli_lex.c cli_values.c cli_version.c commands.c features.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_HELPER_SRC := $(filter-out $(TEST_SRC),$(wildcard tests/unit/*.c))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
CONF_SRC := $(wildcard tests/conformance/test_*.c)
CONFORMANCE_DIR ?= ../shared/conformance

OBJDIR := build
LIB_OBJ  := $(LIB_SRC:%.c=$(OBJDIR)/%.o) $(LIB_SRC_CC:%.cc=$(OBJDIR)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(OBJDIR)/%.o)
CLI_LIB_OBJ := $(CLI_LIB_SRC:%.c=$(OBJDIR)/%.o)
TEST_HELPER_OBJ := $(TEST_HELPER_SRC:%.c=$(OBJDIR)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=bin/tests/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=bin/fuzz/%)
CONF_BIN := $(CONF_SRC:tests/conformance/%.c=bin/conformance/%)
# Files that check checksums get a twin built with PROMTOOL_FUZZING (which
# accepts every checksum, 1-common/crc32c.h) for the replay drivers, so
# corpus inputs found by the fuzzer exercise what is behind the checks.
NOCRC_SRC := $(shell grep -l crc32c_mismatch $(LIB_SRC))
NOCRC_OBJ := $(NOCRC_SRC:%.c=$(OBJDIR)/nocrc/%.o)

.PHONY: all test unit sanitize bench demo install clean fuzz fuzz-build fuzz-check fuzz-replay deps conformance
all: bin/promtool

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJDIR)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(OBJDIR)/libpromtool.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(OBJDIR)/libcli.a: $(CLI_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

bin/promtool: $(CLI_OBJ) $(OBJDIR)/libpromtool.a
	@mkdir -p bin
	$(CXX) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(OBJDIR)/libpromtool.a $(LIBS)

bin/tests/%: $(OBJDIR)/tests/unit/%.o $(TEST_HELPER_OBJ) $(OBJDIR)/libcli.a $(OBJDIR)/libpromtool.a
	@mkdir -p bin/tests
	$(CXX) $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_OBJ) $(OBJDIR)/libcli.a $(OBJDIR)/libpromtool.a $(LIBS)

$(OBJDIR)/nocrc/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DPROMTOOL_FUZZING -c -o $@ $<

# The twins come before the archive, so its members for those files are
# never pulled in.
bin/fuzz/%: $(OBJDIR)/tests/fuzz/%.o $(OBJDIR)/tests/fuzz/driver.o $(NOCRC_OBJ) $(OBJDIR)/libcli.a $(OBJDIR)/libpromtool.a
	@mkdir -p bin/fuzz
	$(CXX) $(ALL_LDFLAGS) -o $@ $< $(OBJDIR)/tests/fuzz/driver.o $(NOCRC_OBJ) $(OBJDIR)/libcli.a $(OBJDIR)/libpromtool.a $(LIBS)

bin/conformance/%: $(OBJDIR)/tests/conformance/%.o $(TEST_HELPER_OBJ) $(OBJDIR)/libpromtool.a
	@mkdir -p bin/conformance
	$(CXX) $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_OBJ) $(OBJDIR)/libpromtool.a $(LIBS)

PQT_OBJ := $(patsubst %.c,$(OBJDIR)/%.o,$(wildcard tests/conformance/promqltest*.c))
bin/promqltest: $(PQT_OBJ) $(OBJDIR)/libpromtool.a
	@mkdir -p bin
	$(CXX) $(ALL_LDFLAGS) -o $@ $(PQT_OBJ) $(OBJDIR)/libpromtool.a $(LIBS)

unit: $(TEST_BIN) bin/promqltest
fuzz-replay: $(FUZZ_BIN)

# ---- libFuzzer --------------------------------------------------------------
# make fuzz [FUZZ_SECONDS=N]: every target built with clang's libFuzzer,
# ASan and UBSan (and PROMTOOL_FUZZING) into build/fuzz/, then run N seconds
# each over tests/fuzz/corpus/<target>/ plus build/fuzz/corpus/<target>/
# (where new inputs go); crashes land in build/fuzz/crashes/<target>/.
# tests/fuzz/run.sh prints executions and coverage per target.  The .cc
# files (the RE2 shim) are compiled with FUZZ_CXX, which also links.
FUZZ_CC      ?= clang
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_DIR     := $(OBJDIR)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-unused-parameter \
                -Wno-missing-field-initializers -I. -MMD -MP -DPROMTOOL_FUZZING $(FUZZ_SAN) $(PKG_CFLAGS)
FUZZ_CXXFLAGS = -std=c++17 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-unused-parameter \
                -Wno-missing-field-initializers -I. -MMD -MP -DPROMTOOL_FUZZING $(FUZZ_SAN) $(PKG_CFLAGS)
FUZZ_LIBS    := $(FUZZ_DIR)/libcli.a $(FUZZ_DIR)/libpromtool.a
FUZZERS      := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/bin/%)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/libpromtool.a: $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(LIB_SRC_CC:%.cc=$(FUZZ_DIR)/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/libcli.a: $(CLI_LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/bin/%: $(FUZZ_DIR)/obj/tests/fuzz/%.o $(FUZZ_LIBS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIBS) $(LIBS)

fuzz-build: fuzz-check $(FUZZERS)

fuzz-check:
	@command -v $(FUZZ_CC) >/dev/null && command -v $(FUZZ_CXX) >/dev/null || { echo "make fuzz needs $(FUZZ_CC) and $(FUZZ_CXX) with libFuzzer (Debian: clang libclang-rt-14-dev)" >&2; exit 1; }

fuzz: fuzz-check $(FUZZERS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) bash tests/fuzz/run.sh $(FUZZERS)

# Installs missing Debian packages (build deps and the reference promtool);
# a no-op when everything is there.  demo and test run it first so that the
# README's two commands work on a fresh machine.
deps:
	@bash .ci/deps

# The whole suite: unit binaries, golden comparisons, shell tests, fuzz
# corpus replay.  Ends with "N passed, M failed, K skipped".
test: deps
	@$(MAKE) --no-print-directory bin/promtool unit fuzz-replay
	@bash tests/run.sh

# Upstream's own test files (PromQL .test files, promtool and rulefmt
# testdata, the v1-index block), read from CONFORMANCE_DIR; fails when it is
# absent.  See README.md for where the suite comes from.  The PromQL files of
# v2.53.0, v3.5.0 and v3.14.0 run under their --compat profile against
# tests/conformance/promqltest-expect/ (tests/conformance/promqltest_versions.sh).
conformance: deps
	@$(MAKE) --no-print-directory bin/promtool bin/promqltest $(CONF_BIN) fuzz-replay
	@CONFORMANCE_DIR="$(abspath $(CONFORMANCE_DIR))" bash tests/run.sh conformance

# The unit binaries, corpus replays and (with CONFORMANCE_DIR given on the
# command line) upstream's PromQL files under ASan and UBSan, built in a
# copy of the tree (build/sanitize/); .ci/run runs it.
sanitize: deps
	@bash tests/sanitize.sh

bench: deps
	@$(MAKE) --no-print-directory bin/promtool
	@bash bench/run.sh

demo: deps
	@$(MAKE) --no-print-directory bin/promtool
	@bash tests/demo.sh

# The binary, its man page (--help-man) and its bash and zsh completion
# scripts, all generated from the command table.
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
install: bin/promtool
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 bin/promtool $(DESTDIR)$(PREFIX)/bin/promtool
	bin/promtool --help-man >$(DESTDIR)$(MANDIR)/man1/promtool.1
	bin/promtool --completion-script-bash >$(DESTDIR)$(BASHCOMPDIR)/promtool
	bin/promtool --completion-script-zsh >$(DESTDIR)$(ZSHCOMPDIR)/_promtool
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/promtool.1 $(DESTDIR)$(BASHCOMPDIR)/promtool $(DESTDIR)$(ZSHCOMPDIR)/_promtool

clean:
	rm -rf $(OBJDIR) bin

-include $(shell find $(OBJDIR) -name '*.d' 2>/dev/null)
