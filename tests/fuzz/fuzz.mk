# tests/fuzz/fuzz.mk - libFuzzer targets and their replay drivers.
# Included by the Makefile (-include tests/fuzz/fuzz.mk).
#
#   make fuzz              build the fuzzers (clang, build-fuzz/fuzz_*),
#                          the replay drivers and the seed corpora
#   make fuzz-run [SECONDS=60] [FUZZ_TARGETS="dns http"]
#                          run each fuzzer SECONDS seconds; new inputs go to
#                          build-fuzz/work/T, crashes to build-fuzz/artifacts/T
#   make fuzz-smoke        build, then every fuzzer FUZZ_SMOKE_S (10) s from
#                          its committed corpus; fails on a crash (CI; 60 s
#                          of fuzzing for the 6 targets, ~90 s in all)
#   make fuzz-minimize     merge build-fuzz/work/T into tests/fuzz/corpus/T
#   make fuzz-replay-bins  gcc ASan/UBSan replay drivers (build-fuzz/replay/*),
#                          used by tests/suites/fuzz_replay.sh in `make test`
#
# Seeds are split at run time from ../shared/pcaps and pcaps/ into
# build-fuzz/corpus/T (never committed); tests/fuzz/corpus/T is the small
# committed minimized corpus and tests/fuzz/crashers/T every crasher found.

FUZZ_DIR      := build-fuzz
FUZZ_ALL      := decode dns tls_sni http engine quic
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_CC       ?= clang
FUZZ_SECONDS  := $(or $(SECONDS),60)
FUZZ_SMOKE_S  ?= 10
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                 -fno-omit-frame-pointer
FUZZ_CFLAGS   := -std=c11 -D_DEFAULT_SOURCE -O1 -g $(FUZZ_SAN) $(PKG_CFLAGS) \
                 -Wall -Wno-unused-parameter
FUZZ_LIB_OBJ  := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(DIS_SRC) $(AN_SRC))
FUZZ_BIN      := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_ALL))
REPLAY_BIN    := $(addprefix $(FUZZ_DIR)/replay/fuzz_,$(FUZZ_ALL))
FUZZ_PCAPS    := $(wildcard ../shared/pcaps/*/*.pcap ../shared/pcaps/*/*.pcapng \
                            pcaps/*.pcap pcaps/*/*.pcap pcaps/*.pcapng pcaps/*/*.pcapng)
FUZZ_OPTS     := -rss_limit_mb=2048 -timeout=20 -max_len=65536 -print_final_stats=1
REPLAY_SAN    := -fsanitize=address,undefined -fno-omit-frame-pointer \
                 -fno-sanitize-recover=undefined
ASAN_LIB      := build-asan/libts.a

.PRECIOUS: $(FUZZ_DIR)/obj/%.o

.PHONY: fuzz fuzz-run fuzz-smoke fuzz-seeds fuzz-minimize fuzz-replay-bins fuzz-asan-lib

fuzz: $(FUZZ_BIN) $(REPLAY_BIN) $(FUZZ_DIR)/corpus/.stamp

# clang objects of the analyzer for libFuzzer (coverage + ASan/UBSan)
$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/libts-fuzz.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# fuzz_engine.c keeps one nDPI module for all inputs (see there)
FUZZ_WRAP_engine := -Wl,--wrap=ndpi_ctx_new,--wrap=ndpi_ctx_free

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/libts-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(FUZZ_WRAP_$*) $(PKG_LIBS) -lm

# The ASan/UBSan library of `make asan` (same flags), for the replay drivers.
ifneq ($(BUILD),build-asan)
fuzz-asan-lib:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" LTO= \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    build-asan/libts.a
$(ASAN_LIB): fuzz-asan-lib ;
endif

$(FUZZ_DIR)/replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(ASAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 -D_DEFAULT_SOURCE -O1 -g $(REPLAY_SAN) $(PKG_CFLAGS) \
	    -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(ASAN_LIB) \
	    $(FUZZ_WRAP_$*) $(PKG_LIBS) -lm

fuzz-replay-bins: $(REPLAY_BIN)

# `make test` runs `make unit-bins`: build the replay drivers with it.
unit-bins: fuzz-replay-bins

$(FUZZ_DIR)/mkseeds: tests/fuzz/mkseeds.c $(BUILD)/libts.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 -D_DEFAULT_SOURCE -O2 -g $(PKG_CFLAGS) -o $@ $< \
	    $(BUILD)/libts.a $(PKG_LIBS) -lm

$(FUZZ_DIR)/corpus/.stamp: $(FUZZ_DIR)/mkseeds $(FUZZ_PCAPS)
	rm -rf $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/mkseeds $(FUZZ_DIR)/corpus $(FUZZ_PCAPS)
	touch $@

fuzz-seeds: $(FUZZ_DIR)/corpus/.stamp

# One target after the other; stops at the first crash (artifact kept).
# FUZZ_DIRS: the corpora read (the first one, build-fuzz/work/T, is written).
FUZZ_DIRS = $(FUZZ_DIR)/work/$$t $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t
FUZZ_RUN = @for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/work/$$t $(FUZZ_DIR)/artifacts/$$t tests/fuzz/corpus/$$t; \
	    echo "== fuzz_$$t: $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/fuzz_$$t $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t/ $(FUZZ_DIRS) \
	        2>$(FUZZ_DIR)/fuzz_$$t.log || { tail -n 60 $(FUZZ_DIR)/fuzz_$$t.log; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|new_units_added)' $(FUZZ_DIR)/fuzz_$$t.log; \
	done

fuzz-run: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS)) $(FUZZ_DIR)/corpus/.stamp
	$(FUZZ_RUN)

# CI: from the committed corpus only (no seed extraction; the engine
# target would spend its slot loading ~1000 seeds), FUZZ_SMOKE_S each.
fuzz-smoke: FUZZ_SECONDS := $(FUZZ_SMOKE_S)
fuzz-smoke: FUZZ_DIRS = $(FUZZ_DIR)/smoke/$$t tests/fuzz/corpus/$$t
fuzz-smoke: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
	@rm -rf $(FUZZ_DIR)/smoke; for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_DIR)/smoke/$$t; done
	$(FUZZ_RUN)

# Rebuild tests/fuzz/corpus/T as the libFuzzer merge (coverage-minimal
# subset) of itself, the work corpus and the seeds.  Engine inputs are cut
# to 700 bytes (keeps ~94% of the edges in ~250 KB instead of 8 MB).
FUZZ_MIN_LEN_engine := 700
fuzz-minimize: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS)) $(FUZZ_DIR)/corpus/.stamp
	@for t in $(FUZZ_TARGETS); do \
	    rm -rf $(FUZZ_DIR)/min/$$t; mkdir -p $(FUZZ_DIR)/min/$$t $(FUZZ_DIR)/work/$$t tests/fuzz/corpus/$$t; \
	    len=65536; [ $$t = engine ] && len=$(FUZZ_MIN_LEN_engine); \
	    $(FUZZ_DIR)/fuzz_$$t -merge=1 -max_len=$$len $(FUZZ_DIR)/min/$$t tests/fuzz/corpus/$$t \
	        $(FUZZ_DIR)/work/$$t $(FUZZ_DIR)/corpus/$$t 2>$(FUZZ_DIR)/merge_$$t.log || exit 1; \
	    rm -rf tests/fuzz/corpus/$$t && mv $(FUZZ_DIR)/min/$$t tests/fuzz/corpus/$$t; \
	    echo "tests/fuzz/corpus/$$t: $$(ls tests/fuzz/corpus/$$t | wc -l) files, $$(cat tests/fuzz/corpus/$$t/* | wc -c) bytes"; \
	done

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_DIR)/obj/tests/fuzz/fuzz_decode.d \
         $(FUZZ_DIR)/obj/tests/fuzz/fuzz_dns.d $(FUZZ_DIR)/obj/tests/fuzz/fuzz_tls_sni.d \
         $(FUZZ_DIR)/obj/tests/fuzz/fuzz_http.d $(FUZZ_DIR)/obj/tests/fuzz/fuzz_engine.d \
         $(FUZZ_DIR)/obj/tests/fuzz/fuzz_quic.d
