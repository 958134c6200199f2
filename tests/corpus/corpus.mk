# make corpus-test: false-positive gate over nDPI 4.2's and ../shared's benign
# captures (tests/corpus/README in ADJUDICATION.md).  Included by the Makefile.
.PHONY: corpus-test
corpus-test: tamperscope
	sh tests/corpus/corpus-test.sh
