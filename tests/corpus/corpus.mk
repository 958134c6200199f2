# make corpus-test: false-positive gate over nDPI 4.2's and ../shared's benign
# captures (tests/corpus/README in ADJUDICATION.md).  Included by the Makefile.
.PHONY: corpus-test
corpus-test: tamperscope
	sh tests/corpus/corpus-test.sh

# make fp-check: pcaps/gen/fp_*.pcap (tests/tools/mkfp.c) against their
# correct verdicts (tests/corpus/fp_expect.tsv); `make test` runs it as the
# fp_check suite.
.PHONY: fp-check
fp-check: tamperscope $(BUILD)/tools/mkfp
	sh tests/corpus/fp-check.sh
