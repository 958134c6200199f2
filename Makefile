# tamperscope - passive network-interference analyzer
# `make` builds ./tamperscope; `make demo`, `make test`; see README.md.

PKGS      := libpcap libndpi jansson rdkafka libmaxminddb libpsl libgcrypt
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/tamperscope
MANDIR    ?= $(PREFIX)/share/man
CC        ?= cc
BUILD     ?= build
OPT       ?= -O2 -g
# Link-time optimisation for ./tamperscope (about 5% fewer instructions on
# the benchmark): objects carry both LTO and normal code, so the tests and
# tools link them the usual way.  LTO= turns it off.
LTO       ?= -flto=auto -ffat-lto-objects
SAN       ?=

PKG_OK    := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
ifneq ($(PKG_OK),yes)
  $(info tamperscope: missing build dependencies, running tools/install-deps.sh)
  $(shell sh tools/install-deps.sh >&2)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN      := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wno-unused-parameter
HARDEN    := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CPPFLAGS  += -Ianalyzer -Idissectors -Ianalyzer/core -Ianalyzer/detectors -Ianalyzer/input -Ianalyzer/report -Ianalyzer/cli -DTS_DATADIR='"$(DATADIR)"'
ALLCFLAGS  = -std=c11 -D_DEFAULT_SOURCE $(OPT) $(LTO) $(WARN) $(HARDEN) $(SAN) \
             $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
NOLTO_CFLAGS = $(filter-out $(LTO),$(ALLCFLAGS))
LDFLAGS   += -Wl,-z,relro,-z,now
LDLIBS    += $(PKG_LIBS) -lm

DIS_SRC   := $(wildcard dissectors/*.c)
AN_DIRS   := input core detectors report cli
AN_SRC    := $(filter-out analyzer/cli/main.c,$(foreach d,$(AN_DIRS),$(wildcard analyzer/$(d)/*.c)))
LIB_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(DIS_SRC) $(AN_SRC))
MAIN_OBJ  := $(BUILD)/analyzer/cli/main.o
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))

.PHONY: all demo test test-deps unit asan clean install deps bench lab-test fuzz fuzz-run golden-update

all: tamperscope

tamperscope: $(BUILD)/tamperscope
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/tamperscope: $(MAIN_OBJ) $(BUILD)/libts.a
	$(CC) $(ALLCFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/libts.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libts.a tests/testhelp.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(NOLTO_CFLAGS) -o $@ $< $(BUILD)/libts.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libts.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests -Itests/tools $(NOLTO_CFLAGS) -o $@ $(filter %.c,$^) $(BUILD)/libts.a $(LDFLAGS) $(LDLIBS)

# the generated captures' packet builder
$(BUILD)/tools/mkfixtures $(BUILD)/tools/mkfp: tests/tools/lib/fxbuild.c tests/tools/lib/fxbuild.h

unit-bins: $(UNIT_BIN) $(TOOL_BIN)

demo: tamperscope
	./tamperscope analyze --format text pcaps/lab/demo.pcap

# Full test suite: unit tests, golden reports, shared captures under the
# ASan/UBSan build.  Installs the test packages first (as root or through
# sudo; where it cannot, the suites that need a missing one SKIP and say
# so).  Ends with "N passed, N failed, M skipped".
test: test-deps tamperscope asan
	@$(MAKE) --no-print-directory unit-bins
	@sh tests/run-tests.sh

test-deps:
	@TS_TEST_DEPS=1 sh tools/install-deps.sh || \
	    echo "tamperscope: test packages missing; the suites that need them will SKIP" >&2

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" LTO= \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    build-asan/tamperscope
	cp build-asan/tamperscope tamperscope-asan.tmp && mv -f tamperscope-asan.tmp tamperscope-asan

golden-update: tamperscope
	sh tests/golden/update.sh

lab-test: tamperscope
	sh tests/lab/lab-test.sh

bench: tamperscope $(BUILD)/tools/mkbench $(BUILD)/tools/floor
	sh tests/bench/bench.sh

install: tamperscope
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 tamperscope $(DESTDIR)$(BINDIR)/tamperscope
	install -m 644 data/*.txt $(DESTDIR)$(DATADIR)/
	install -m 644 docs/tamperscope.1 $(DESTDIR)$(MANDIR)/man1/tamperscope.1

deps:
	sh tools/install-deps.sh

clean:
	rm -rf build build-asan build-fuzz build-tsan tamperscope tamperscope-asan

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
-include tests/fuzz/fuzz.mk
-include tests/corpus/corpus.mk
