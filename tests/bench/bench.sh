#!/bin/sh
# bench.sh - throughput benchmark for issue #7 (see tests/bench/README.md).
#
# Builds a ~1 GB capture once (build/bench/bench.pcap, reused while its
# inputs, its mkbench arguments and mkbench.c are unchanged and its size
# matches), then times on that same file, median of BENCH_RUNS runs after
# one warm-up run:
#   floor        build/tools/floor FILE          (bare pcap_next_ex loop)
#   tamperscope  ./tamperscope analyze -q -o build/bench/report.json FILE
#   ndpiReader   ndpiReader -i FILE -q
# and then the flow-scaling runs (tamperscope ns/packet at 1x, 4x, 16x
# flows, same packets).
#
# Environment: BENCH_RUNS (3), BENCH_FLOWS ("1 4 16"), BENCH_COPIES (29, or
# sized to ~1 GB for the pcaps/ fallback), BENCH_NDPI=0 skips ndpiReader,
# BENCH_BUDGET (540 s: past it, timed runs drop to one), BENCH_TIMEOUT
# (120 s per run; a run that takes longer is reported as a timeout), BUILD
# (build), TAMPERSCOPE (./tamperscope: the binary to time).
set -u
cd "$(dirname "$0")/../.." || exit 2

BUILD=${BUILD:-build}
DIR=$BUILD/bench
TOOLS=$BUILD/tools
RUNS=${BENCH_RUNS:-3}
FLOWS=${BENCH_FLOWS:-1 4 16}
BUDGET=${BENCH_BUDGET:-540}
TIMEOUT=${BENCH_TIMEOUT:-120}
BASE=../shared/bench/base.pcap.xz
TSBIN=${TAMPERSCOPE:-./tamperscope}
START=$(date +%s)
mkdir -p "$DIR" "$TOOLS"

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
elapsed() { echo $(( $(date +%s) - START )); }

case $RUNS in ''|*[!0-9]*|0) die "BENCH_RUNS must be a positive integer" ;; esac
case $TIMEOUT in ''|*[!0-9]*|0) die "BENCH_TIMEOUT must be a positive integer" ;; esac

# ---- tools ----------------------------------------------------------------
# The Makefile builds tests/tools/X.c into build/tools/X against libts.a; if
# that fails (library not building yet), compile the two stand-alone tools
# directly: they need only libpcap.
CFLAGS_B="-std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
for t in mkbench floor; do
	if ! ${MAKE:-make} -s --no-print-directory "$TOOLS/$t" >/dev/null 2>&1; then
		# shellcheck disable=SC2086,SC2046 # word splitting intended
		${CC:-cc} $CFLAGS_B -o "$TOOLS/$t" "tests/tools/$t.c" \
			$(pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap) ||
			die "cannot build $TOOLS/$t"
	fi
done

if [ ! -x /usr/bin/time ]; then
	say "bench: /usr/bin/time missing, installing Debian package 'time'"
	SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null 2>&1 ||
		die "/usr/bin/time not available: apt-get install time"
fi

# ---- the capture ----------------------------------------------------------
if [ -r "$BASE" ]; then
	SRC_DESC="$BASE x ${BENCH_COPIES:-29} copies"
	SRC_ID="shared $(wc -c < "$BASE")"
	COPIES=${BENCH_COPIES:-29}
	FALLBACK=""
else
	FALLBACK=$(find pcaps -type f \( -name '*.pcap' -o -name '*.pcapng' \) 2>/dev/null | LC_ALL=C sort)
	[ -n "$FALLBACK" ] || die "../shared absent and no captures under pcaps/"
	total=0; nf=0
	for f in $FALLBACK; do total=$((total + $(wc -c < "$f"))); nf=$((nf + 1)); done
	COPIES=${BENCH_COPIES:-$(( (1000000000 + total - 1) / total ))}
	[ "$COPIES" -gt 256 ] && COPIES=256
	SRC_ID="pcaps $(for f in $FALLBACK; do printf '%s:%s ' "$f" "$(wc -c < "$f")"; done)"
	SRC_DESC="pcaps/ fallback: $nf captures, $total bytes, x $COPIES copies"
	say "bench: ../shared absent: using the project's own captures in pcaps/ concatenated ($nf files, $total bytes) x $COPIES copies"
fi
MK_ID=$(cksum < tests/tools/mkbench.c)

# gen MULT OUT: build OUT unless its .meta says it is current.
gen() {
	mult=$1; out=$2
	want="src=$SRC_ID|copies=$COPIES|f=$mult|mkbench=$MK_ID"
	if [ -f "$out" ] && [ -f "$out.meta" ] &&
	   [ "$(sed -n 1p "$out.meta")" = "$want" ] &&
	   [ "$(sed -n 2p "$out.meta")" = "$(wc -c < "$out")" ]; then
		say "bench: reusing $out ($(sed -n 3p "$out.meta"))"
		return 0
	fi
	say "bench: generating $out (-n $COPIES -f $mult) ..."
	rm -f "$out" "$out.meta"
	if [ -z "$FALLBACK" ]; then
		xz -dc "$BASE" | "$TOOLS/mkbench" -n "$COPIES" -f "$mult" - "$out.tmp" 2> "$out.log"
	else
		# shellcheck disable=SC2086
		"$TOOLS/mkbench" -n "$COPIES" -f "$mult" $FALLBACK "$out.tmp" 2> "$out.log"
	fi || { cat "$out.log" >&2; rm -f "$out.tmp"; die "mkbench failed"; }
	mv "$out.tmp" "$out"
	grep -v ': [0-9]* packets, ' "$out.log" | sed 's/^/  /'
	flows=$(sed -n 's/.*~\([0-9]*\) flows total.*/\1/p' "$out.log")
	{ echo "$want"; wc -c < "$out"; echo "~$flows flows"; } > "$out.meta"
}

FILE=$DIR/bench.pcap
gen 1 "$FILE"
cnt=$("$TOOLS/floor" "$FILE") || die "floor failed on $FILE"
# shellcheck disable=SC2086 # "packets N caplen_bytes B wire_bytes W"
set -- $cnt
PKTS=$2; CAPB=$4
say "bench: $FILE: $PKTS packets, $CAPB captured bytes, $(sed -n 3p "$FILE.meta"); $SRC_DESC"
say "bench: host: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"

# ---- timing ---------------------------------------------------------------
# measure NAME CMD...: one warm-up, then RUNS timed runs, each under
# `timeout BENCH_TIMEOUT`.  Sets M_WALL (median seconds), M_RSS (largest
# peak RSS, KiB), M_N (timed runs) and M_RC (0, 124 = timed out, or the
# failing exit status); returns non-zero unless all runs succeeded.
run1() { # TIMEFILE CMD...: one run; prints "wall rss"
	tf1=$1; shift
	/usr/bin/time -f "%e %M" -o "$tf1" timeout -k 5 "$TIMEOUT" "$@" \
		> "$DIR/$name.out" 2> "$DIR/$name.err"
}
measure() {
	name=$1; shift
	mkdir -p "$DIR"
	tf=$DIR/time.$$
	M_WALL=""; M_RSS=""; M_N=0
	if [ "$(elapsed)" -ge "$BUDGET" ]; then
		M_RC=125; return 1
	fi
	run1 "$tf" "$@"
	M_RC=$?
	if [ "$M_RC" -ne 0 ]; then
		rm -f "$tf"; return 1
	fi
	warm=$(tail -n 1 "$tf" | cut -d' ' -f1)
	n=$RUNS
	left=$((BUDGET - $(elapsed)))
	if [ "$n" -gt 1 ] && awk -v w="$warm" -v n="$n" -v l="$left" 'BEGIN{exit !(w*n > l)}'; then
		say "bench: $name: time budget (${BUDGET}s) nearly spent: 1 timed run instead of $n"
		n=1
	fi
	: > "$DIR/$name.times"
	i=0
	while [ "$i" -lt "$n" ]; do
		run1 "$tf" "$@" || { M_RC=$?; rm -f "$tf"; return 1; }
		tail -n 1 "$tf" >> "$DIR/$name.times"
		i=$((i + 1))
	done
	rm -f "$tf"
	M_WALL=$(cut -d' ' -f1 "$DIR/$name.times" | sort -n |
	         awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
	M_RSS=$(cut -d' ' -f2 "$DIR/$name.times" | sort -n | tail -n 1)
	M_N=$n
	return 0
}
why() { # describe a failed measure
	if [ "$M_RC" -eq 125 ]; then
		echo "skipped: time budget (${BUDGET} s, BENCH_BUDGET) spent"
	elif [ "$M_RC" -eq 124 ] || [ "$M_RC" -eq 137 ]; then
		echo "timed out (> ${TIMEOUT} s per run, BENCH_TIMEOUT)"
	else
		echo "failed (exit $M_RC)"
	fi
}

ROWS=""
row() { # name wall rss runs
	ROWS="$ROWS$1 $2 $3 $4
"
}

say "bench: timing, median of $RUNS runs after a warm-up (BENCH_RUNS=$RUNS)"
measure floor "$TOOLS/floor" "$FILE" || die "floor $(why)"
FLOOR=$M_WALL
row floor "$M_WALL" "$M_RSS" "$M_N"

TS=""; TS_RSS=0; TS2=""; TS2_RSS=0
if [ ! -x "$TSBIN" ]; then
	say "tamperscope: $TSBIN not built (make tamperscope): skipped"
else
	if measure threads1 "$TSBIN" analyze --threads 1 -q -o "$DIR/report.json" "$FILE"; then
		TS=$M_WALL; TS_RSS=$M_RSS
		row "threads=1" "$M_WALL" "$M_RSS" "$M_N"
	else
		say "tamperscope --threads 1: $(why), skipped; stderr:"
		tail -n 5 "$DIR/threads1.err" | sed 's/^/  /'
	fi
	if measure threads2 "$TSBIN" analyze --threads 2 -q -o "$DIR/report2.json" "$FILE"; then
		TS2=$M_WALL; TS2_RSS=$M_RSS
		row "threads=2" "$M_WALL" "$M_RSS" "$M_N"
		cmp -s "$DIR/report.json" "$DIR/report2.json" ||
			say "bench: WARNING: --threads 2 wrote another report than --threads 1"
	else
		say "tamperscope --threads 2: $(why), skipped"
	fi
fi

NDPI=""
if [ "${BENCH_NDPI:-1}" = 0 ]; then
	say "ndpiReader: skipped (BENCH_NDPI=0)"
elif ! command -v ndpiReader >/dev/null 2>&1; then
	say "ndpiReader: not installed"
elif measure ndpiReader ndpiReader -i "$FILE" -q; then
	NDPI=$M_WALL
	row ndpiReader "$M_WALL" "$M_RSS" "$M_N"
else
	say "ndpiReader: $(why), skipped"
fi

say ""
printf '%s' "$ROWS" | awk -v pk="$PKTS" -v by="$CAPB" -v fl="$FLOOR" '
BEGIN {
	printf "%-12s %8s %12s %8s %9s %8s %5s\n", "tool", "median_s", "packets/s",
	       "Gbit/s", "RSS_MiB", "x_floor", "runs"
}
NF == 4 {
	w = $2 > 0 ? $2 : 0.005        # /usr/bin/time resolution is 10 ms
	printf "%-12s %8.2f %12.0f %8.2f %9.1f %8.2f %5d\n", $1, $2, pk / w,
	       by * 8 / w / 1e9, $3 / 1024, w / (fl > 0 ? fl : 0.005), $4
}'
if [ -n "$TS" ] && [ -n "$NDPI" ]; then
	awk -v n="$NDPI" -v t="$TS" 'BEGIN{printf "ndpiReader/tamperscope --threads 1: %.2f (wall time ratio; >1 means tamperscope is faster)\n", n / (t > 0 ? t : 0.005)}'
fi
# the issue #17 targets, each a ratio from this run
awk -v fl="$FLOOR" -v t1="$TS" -v t2="$TS2" -v n="$NDPI" -v r1="$TS_RSS" -v r2="$TS2_RSS" '
function chk(name, v, op, lim, unit) {
	if (v == "") { printf "target %-34s not measured\n", name; return }
	ok = op == "<=" ? v <= lim : v >= lim
	printf "target %-34s %8.2f%s %s %s%s  %s\n", name, v, unit, op, lim, unit, ok ? "met" : "MISSED"
}
BEGIN {
	f = fl > 0 ? fl : 0.005
	chk("--threads 1 / floor", t1 == "" ? "" : t1 / f, "<=", 2.0, "x")
	chk("--threads 2 / floor", t2 == "" ? "" : t2 / f, "<=", 1.3, "x")
	chk("ndpiReader / --threads 1", (n == "" || t1 == "") ? "" : n / (t1 > 0 ? t1 : 0.005), ">=", 8, "x")
	chk("peak RSS --threads 1", t1 == "" ? "" : r1 / 1024, "<=", 128, " MiB")
	chk("peak RSS --threads 2", t2 == "" ? "" : r2 / 1024, "<=", 256, " MiB")
}'
# instructions: the repeatable figure (callgrind, one thread, first 100k packets)
if [ "${BENCH_CALLGRIND:-1}" = 0 ]; then
	say "callgrind: skipped (BENCH_CALLGRIND=0)"
elif ! command -v valgrind >/dev/null 2>&1; then
	say "callgrind: valgrind not installed"
elif [ -n "$TS" ]; then
	"$TSBIN" analyze --threads 1 -q -c 100000 -o /dev/null "$FILE" >/dev/null 2>&1
	valgrind --tool=callgrind --callgrind-out-file="$DIR/callgrind.out" "$TSBIN" analyze \
		--threads 1 -q -c 100000 -o "$DIR/report-cg.json" "$FILE" > "$DIR/callgrind.log" 2>&1 &&
		say "callgrind: $(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$DIR/callgrind.log") instructions, --threads 1, first 100000 packets of $FILE" ||
		say "callgrind: failed (see $DIR/callgrind.log)"
fi
say "(Gbit/s counts captured bytes; RSS is the largest peak over the timed runs)"

# ---- flow scaling ---------------------------------------------------------
say ""
if [ -z "$TS" ]; then
	say "flow scaling: skipped (tamperscope did not run)"
else
	say "flow scaling: tamperscope --threads 1 on the same $PKTS packets with more flows (mkbench -f)"
	SC=""
	for m in $FLOWS; do
		if [ "$m" = 1 ]; then
			f=$FILE; w=$TS; r=$TS_RSS
		else
			f=$DIR/bench-f$m.pcap
			gen "$m" "$f"
			if measure "tamperscope-f$m" "$TSBIN" analyze --threads 1 -q -o "$DIR/report-f$m.json" "$f"; then
				w=$M_WALL; r=$M_RSS
			else
				say "tamperscope -f $m: $(why)"
				w=""; r=0
			fi
		fi
		SC="$SC$m ${w:-timeout} $(sed -n 's/^~\([0-9]*\) flows$/\1/p' "$f.meta") $r
"
	done
	printf '%s' "$SC" | awk -v pk="$PKTS" -v to="$TIMEOUT" '
	BEGIN { printf "%-6s %10s %9s %8s %9s\n", "flows", "total", "median_s", "ns/pkt", "RSS_MiB" }
	NF >= 3 && $2 == "timeout" { printf "%-6s %10s %9s %8s %9s\n", $1 "x", $3, ">" to, sprintf(">%.0f", to * 1e9 / pk), "-"; next }
	NF >= 3 { printf "%-6s %10s %9.2f %8.1f %9.1f\n", $1 "x", $3, $2, $2 * 1e9 / pk, $4 / 1024
	          if ($1 == 1) one = $2; last = $2; lastm = $1 }
	END { if (one > 0 && lastm > 1 && last != "timeout")
	          printf "target %-34s %8.2fx <= 2x  %s\n", lastm "x flows / 1x flows (ns/pkt)", last / one,
	                 last / one <= 2 ? "met" : "MISSED" }'
	say "(flows = distinct (flow key, chunk) pairs mkbench made; 16x is capped by the packet count, see README)"
fi
say ""
say "bench: done in $(elapsed) s"
