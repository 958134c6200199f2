#!/bin/sh
# threads.sh - `analyze --threads 2` writes what `--threads 1` writes
# (issue #17): report JSON, JSONL events, text table, HTML page, exit
# status and stderr, byte for byte, on every capture in pcaps/ and in
# ../shared/pcaps (read in place; SKIP without it), plus the input paths
# that are not one plain file: several files as one capture, a BPF filter,
# a packet limit, standard input, a refused link type.
# Prints "RESULT <passed> <failed>" last.
cd "$(dirname "$0")/../.." || exit 2
BIN=${TS_BIN:-./tamperscope}
p=0; f=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$BIN" ]; then
	echo "FAIL threads: $BIN not built"; echo "RESULT 0 1"; exit 1
fi

# run N NAME ARGS...: analyze with --threads N into $tmp/N.*
run() {
	t=$1; shift
	"$BIN" analyze --threads "$t" -q -o "$tmp/$t.json" -e "$tmp/$t.jsonl" \
		--text "$tmp/$t.txt" --html "$tmp/$t.html" "$@" \
		< "${STDIN:-/dev/null}" > "$tmp/$t.out" 2> "$tmp/$t.err"
	echo $? > "$tmp/$t.rc"
}

# same DESC ARGS...: both thread counts, every output compared
same() {
	d=$1; shift
	rm -f "$tmp"/1.* "$tmp"/2.*
	: > "$tmp/1.jsonl"; : > "$tmp/2.jsonl"
	run 1 "$@" & run 2 "$@"; wait
	for x in json jsonl txt html out err rc; do
		[ -e "$tmp/1.$x" ] || [ -e "$tmp/2.$x" ] || continue
		if ! cmp -s "$tmp/1.$x" "$tmp/2.$x"; then
			echo "FAIL threads: $d: .$x differs between --threads 1 and 2"
			diff "$tmp/1.$x" "$tmp/2.$x" 2>/dev/null | head -n 5
			f=$((f + 1)); return
		fi
	done
	p=$((p + 1))
}

n=0
for c in $(find pcaps -type f \( -name '*.pcap' -o -name '*.pcapng' \) | LC_ALL=C sort); do
	same "$c" "$c"; n=$((n + 1))
done
echo "ok $n captures of pcaps/ compared"
if [ -d ../shared/pcaps ]; then
	m=0
	for c in $(find ../shared/pcaps -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | LC_ALL=C sort); do
		same "$c" "$c"; m=$((m + 1))
	done
	echo "ok $m captures of ../shared/pcaps compared"
else
	echo "SKIP threads: ../shared/pcaps absent (a user's clone): only the project's captures compared"
fi

lab=$(find pcaps/lab -name '*.pcap' | LC_ALL=C sort | head -n 3)
# shellcheck disable=SC2086 # several files as one capture
same "three lab files as one capture" $lab
demo=pcaps/lab/demo.pcap
same "BPF filter" -f "tcp port 443" "$demo"
same "packet limit" -c 100 "$demo"
STDIN=$demo same "standard input" -
STDIN=""
# a link type the dissectors refuse (DLT 160 is no supported one):
# build it by rewriting the header of a small capture
python3 -c '
import sys, struct
b = bytearray(open(sys.argv[1], "rb").read())
e = "<" if b[:4] == bytes.fromhex("d4c3b2a1") else ">"
struct.pack_into(e + "I", b, 20, 160)
open(sys.argv[2], "wb").write(b)' "$demo" "$tmp/refused.pcap" 2>/dev/null &&
	same "refused link type" "$tmp/refused.pcap" ||
	echo "SKIP threads: python3 missing: refused link type case not built"
# fifty times the reader's 1 MiB block: --threads 2 hands the engine
# thread packets in fastpcap's blocks (no copy), so a block must not be
# filled again before the engine is done with it; the project's lab
# captures copied 25 times over with new addresses and times
# (build/tools/mkbench)
MK=${BUILD:-build}/tools/mkbench
if [ -x "$MK" ] || make -s --no-print-directory "$MK" >/dev/null 2>&1; then
	# shellcheck disable=SC2046 # the captures' names have no blanks
	"$MK" -n 25 $(find pcaps/lab -name '*.pcap' | LC_ALL=C sort) "$tmp/big.pcap" 2>/dev/null
	size=$(wc -c < "$tmp/big.pcap")
	if [ "$size" -gt $((48 * 1048576)) ]; then
		same "a $((size / 1048576)) MiB capture" "$tmp/big.pcap"
		same "the same, a filter" -f "tcp or icmp" "$tmp/big.pcap"
		same "the same, a packet limit" -c 150000 "$tmp/big.pcap"
		same "the same file twice, one capture" "$tmp/big.pcap" "$tmp/big.pcap"
	else
		echo "FAIL threads: mkbench made $size bytes, not more than 48 MiB"; f=$((f + 1))
	fi
	rm -f "$tmp/big.pcap"
else
	echo "SKIP threads: $MK does not build: the multi-window case not run"
fi
# records of the largest size (256 KiB): a batch then spans far more
# than fastpcap's two blocks, so the reader must wait for the engine
# before it fills a block again (the retire hook): 200 UDP datagrams of
# distinct flows, 50 MiB (tests/tools/bigrecords.py)
python3 tests/tools/bigrecords.py "$tmp/huge.pcap" 2>/dev/null &&
	same "200 records of 256 KiB (batches longer than two blocks)" "$tmp/huge.pcap" ||
	echo "SKIP threads: python3 missing: the 256 KiB records case not built"
rm -f "$tmp/huge.pcap"
# thousands of destinations, the JSON report alone: then it is written
# straight from the engine (report_write_engine), and with two threads
# the destinations array in two halves at once (dest_json.c, from
# REPORT_SPLIT_MIN = 2048 destinations); the same bytes as one thread
# and as the report written from a tree (--text also asked for)
FL=${BUILD:-build}/tools/mkflood
if [ -x "$FL" ] || make -s --no-print-directory "$FL" >/dev/null 2>&1; then
	"$FL" "$tmp/dests.pcap" 6000 500 7 2>/dev/null
	"$BIN" analyze --threads 1 -q -o "$tmp/d1.json" "$tmp/dests.pcap" &&
	"$BIN" analyze --threads 2 -q -o "$tmp/d2.json" "$tmp/dests.pcap" &&
	"$BIN" analyze --threads 2 -q -o "$tmp/dt.json" --text "$tmp/dt.txt" "$tmp/dests.pcap"
	nd=$(grep -c '"destination":' "$tmp/d2.json")
	if [ "$nd" -lt 4096 ]; then
		echo "FAIL threads: mkflood gave $nd destinations, not the 4096+ the split needs"; f=$((f + 1))
	elif cmp -s "$tmp/d1.json" "$tmp/d2.json" && cmp -s "$tmp/d1.json" "$tmp/dt.json"; then
		p=$((p + 1)); echo "ok $nd destinations: the JSON report alone is the same with 1 and 2 threads, and as from a tree"
	else
		echo "FAIL threads: $nd destinations: the JSON report differs (1 / 2 threads / tree)"; f=$((f + 1))
		cmp "$tmp/d1.json" "$tmp/d2.json"; cmp "$tmp/d1.json" "$tmp/dt.json"
	fi
	rm -f "$tmp"/d*.json "$tmp/dt.txt" "$tmp/dests.pcap"
else
	echo "SKIP threads: $FL does not build: the many-destinations case not run"
fi
# a file cut in the middle of a record
size=$(wc -c < "$demo")
head -c $((size - 7)) "$demo" > "$tmp/cut.pcap"
same "truncated file" "$tmp/cut.pcap"
echo "RESULT $p $f"
