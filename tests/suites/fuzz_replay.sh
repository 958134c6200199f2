#!/bin/sh
# fuzz_replay.sh - replay the committed fuzz corpus (tests/fuzz/corpus/T)
# and every crasher ever found (tests/fuzz/crashers/T, fixed since)
# through the gcc ASan/UBSan replay drivers build-fuzz/replay/fuzz_T
# (built by `make unit-bins` via tests/fuzz/fuzz.mk).  One check per
# target and directory; any sanitizer report or invariant failure fails.
cd "$(dirname "$0")/../.." || exit 2
R=build-fuzz/replay
p=0; f=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT
for t in decode dns tls_sni http engine quic; do
	if [ ! -x "$R/fuzz_$t" ]; then
		echo "FAIL fuzz_replay: $R/fuzz_$t missing (make fuzz-replay-bins)"
		f=$((f + 1)); continue
	fi
	for d in tests/fuzz/corpus/$t tests/fuzz/crashers/$t; do
		[ -d "$d" ] || continue
		[ -n "$(ls "$d")" ] || continue
		if timeout 100 "$R/fuzz_$t" "$d" > "$tmp" 2>&1; then
			p=$((p + 1)); echo "ok $t: $(tail -n 1 "$tmp") inputs from $d"
		else
			f=$((f + 1)); echo "FAIL fuzz_replay: $t on $d:"
			REPLAY_VERBOSE=1 timeout 100 "$R/fuzz_$t" "$d" 2>&1 | grep -E '^replay ' | tail -n 1
			grep -E 'ERROR|SUMMARY|invariant|runtime error' "$tmp" | head -n 10
		fi
	done
done
echo "RESULT $p $f"
[ "$f" -eq 0 ]
