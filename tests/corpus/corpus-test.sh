#!/bin/sh
# make corpus-test: run tamperscope over third-party captures that contain no
# known censorship (nDPI 4.2's tests/pcap/ from Debian's source package, and
# ../shared/pcaps/benign) and fail on every "interfered" verdict that is not
# in the reviewed list tests/corpus/adjudicated.tsv (see ADJUDICATION.md).
# Ends with "N passed, N failed" (one check per capture).
# Env: TS_CORPUS_CACHE (ndpi cache dir), TS_CORPUS_JOBS (default 2),
#      TS_CORPUS_OUT (keep reports there), TS_SHARED (default ../shared).
cd "$(dirname "$0")/../.." || exit 2
TS=${TS:-./tamperscope}
JOBS=${TS_CORPUS_JOBS:-2}
SHARED=${TS_SHARED:-../shared}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
[ -x "$TS" ] || { echo "FAIL: $TS not built"; echo "0 passed, 1 failed"; exit 1; }

if [ -n "${TS_CORPUS_OUT:-}" ]; then
	out=$TS_CORPUS_OUT; rm -rf "$out"; mkdir -p "$out"
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/ts-corpus.XXXXXX") || exit 2
	trap 'rm -rf "$out"' EXIT INT TERM
fi
list=$out/list
: > "$list"
skips=

ndpi=$(sh tests/corpus/fetch-ndpi.sh)
case $ndpi in
SKIP:*) echo "SKIP ndpi-4.2 corpus: ${ndpi#SKIP: }"; skips="$skips ndpi" ;;
*) find "$ndpi" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) |
	sort | sed 's|^|ndpi |' >> "$list" ;;
esac
if [ -d "$SHARED/pcaps/benign" ]; then
	find "$SHARED/pcaps/benign" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) |
		sort | sed 's|^|benign |' >> "$list"
else
	echo "SKIP benign corpus: $SHARED/pcaps/benign not present (the shared tree is not checked out next to this one)"
	skips="$skips benign"
fi
if [ ! -s "$list" ]; then
	echo "SKIP corpus-test: no capture available"
	echo "0 passed, 0 failed"
	exit 0
fi

# one tamperscope per capture, JOBS at a time; rc and stderr kept per capture
export TS out
tr '\n' '\0' < "$list" | xargs -0 -P "$JOBS" -n 1 sh -c '
	set -- $1; set_=$1; f=$2; b=$set_/$(basename "$f")
	mkdir -p "$out/$set_"
	timeout 300 "$TS" analyze -q -o "$out/$b.json" "$f" 2> "$out/$b.err"
	echo $? > "$out/$b.rc"' sh

exec "$PY" tests/corpus/corpus.py "$out" "$list" tests/corpus/adjudicated.tsv
