#!/bin/sh
# tsan.sh - the threads, built with ThreadSanitizer: test_quic_threads.c
# against dissectors/quic.c and tls_sni.c (what capture workers share);
# then the whole program (build-tsan/tamperscope) running
# `analyze --threads 2` on the lab captures and a few real ones, and, as
# root, the capture_workers suite (`capture --workers 2`) on it.  A data
# race report fails the suite.
cd "$(dirname "$0")/../.." || exit 2
p=0; f=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
cc=""
for c in clang gcc; do
	command -v $c > /dev/null && echo 'int main(void){return 0;}' > "$tmp/t.c" &&
		$c -fsanitize=thread -o "$tmp/t" "$tmp/t.c" 2> /dev/null && { cc=$c; break; }
done
if [ -z "$cc" ]; then
	echo "SKIP tsan: no compiler here links -fsanitize=thread (clang with libclang-rt-14-dev, or gcc with libtsan)"
	echo "RESULT 0 0"; exit 0
fi
# shellcheck disable=SC2046
if ! $cc -std=c11 -D_DEFAULT_SOURCE -O1 -g -fsanitize=thread -Ianalyzer -Idissectors -Itests \
    -o "$tmp/qt" tests/unit/test_quic_threads.c dissectors/quic.c dissectors/tls_sni.c \
    $(pkg-config --cflags --libs libgcrypt) -lpthread > "$tmp/build" 2>&1; then
	echo "FAIL tsan: build of test_quic_threads with $cc -fsanitize=thread:"; head -n 20 "$tmp/build"
	echo "RESULT 0 1"; exit 1
fi
TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$tmp/qt" > "$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q 'ThreadSanitizer' "$tmp/out"; then
	p=$((p + 1)); echo "ok quic key derivation in 4 threads: no data race ($cc)"
else
	f=$((f + 1)); echo "FAIL tsan: test_quic_threads (exit $rc):"; head -n 30 "$tmp/out"
fi

# the whole program
if ! make --no-print-directory -s BUILD=build-tsan OPT="-O1 -g" LTO= SAN="-fsanitize=thread" \
    build-tsan/tamperscope > "$tmp/build" 2>&1; then
	echo "FAIL tsan: build of build-tsan/tamperscope:"; tail -n 20 "$tmp/build"
	echo "RESULT $p $((f + 1))"; exit 1
fi
TS=build-tsan/tamperscope
caps=$(find pcaps/lab -name '*.pcap' | LC_ALL=C sort)
[ -d ../shared/pcaps/interference ] &&
	caps="$caps $(find ../shared/pcaps/interference -type f | LC_ALL=C sort | head -n 4)"
# records of 256 KiB: the reader waits for the engine before fastpcap
# fills a block again (the retire hook's handshake)
python3 tests/tools/bigrecords.py "$tmp/big.pcap" 2>/dev/null && caps="$caps $tmp/big.pcap"
# 6,000 destinations: the JSON report alone has its destinations written
# by two threads (dest_json.c); run below without -e as well
$cc -O1 -o "$tmp/mkflood" tests/tools/mkflood.c 2>/dev/null &&
	"$tmp/mkflood" "$tmp/dests.pcap" 6000 500 7 2>/dev/null && caps="$caps $tmp/dests.pcap"
n=0; bad=0
for c in $caps; do
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" $TS analyze --threads 2 -q \
		-o "$tmp/r.json" -e "$tmp/e.jsonl" "$c" > "$tmp/out" 2>&1
	rc=$?
	if [ "$c" = "$tmp/dests.pcap" ] && [ $rc -ne 66 ]; then
		TSAN_OPTIONS="halt_on_error=1 exitcode=66" $TS analyze --threads 2 -q \
			-o "$tmp/r.json" "$c" >> "$tmp/out" 2>&1
		rc=$?
	fi
	n=$((n + 1))
	if [ $rc -eq 66 ] || grep -q ThreadSanitizer "$tmp/out"; then
		bad=$((bad + 1)); echo "FAIL tsan: analyze --threads 2 $c:"; head -n 30 "$tmp/out"
	fi
done
if [ $bad -eq 0 ]; then
	p=$((p + 1)); echo "ok analyze --threads 2 on $n captures: no data race"
else
	f=$((f + 1))
fi
if [ "$(id -u)" = 0 ]; then
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" TS_BIN=$(pwd)/$TS \
		sh tests/suites/capture_workers.sh > "$tmp/cw" 2>&1
	res=$(sed -n 's/^RESULT \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$tmp/cw" | tail -n 1)
	if grep -q ThreadSanitizer "$tmp/cw"; then
		f=$((f + 1)); echo "FAIL tsan: capture --workers 2 (capture_workers suite):"
		grep -A 30 -m 1 ThreadSanitizer "$tmp/cw"
	elif [ -n "$res" ] && [ "${res#* }" = 0 ] && [ "${res% *}" -gt 0 ]; then
		p=$((p + 1)); echo "ok capture --workers 2 (capture_workers suite, ${res% *} checks): no data race"
	elif grep -q '^SKIP' "$tmp/cw"; then
		echo "SKIP tsan: capture --workers 2 not run: $(grep -m 1 '^SKIP' "$tmp/cw" | cut -d: -f2-)"
	else
		f=$((f + 1)); echo "FAIL tsan: capture_workers under ThreadSanitizer ended '$res':"
		grep '^FAIL' "$tmp/cw" | head -n 10
	fi
else
	echo "SKIP tsan: capture --workers 2 needs root (network namespaces)"
fi
echo "RESULT $p $f"
