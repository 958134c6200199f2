#!/bin/sh
# Run every test suite; print the closing "N passed, N failed, M skipped"
# line.  Each suite prints "RESULT <passed> <failed>" last, a FAIL line per
# failure and a "SKIP suite: reason" line per part it could not run (a
# missing package, ../shared, root).  A suite that checked nothing must
# say why: "RESULT 0 0" without a SKIP line counts as a failure.
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
pass=0; fail=0; skip=0
log=tests/out/run.log
mkdir -p tests/out; : > "$log"

run_suite() { # name command...
	name=$1; shift
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out" >> "$log"
	res=$(printf '%s\n' "$out" | sed -n 's/^RESULT \([0-9]*\) \([0-9]*\)$/\1 \2/p' | tail -n 1)
	if [ -z "$res" ]; then
		echo "FAIL $name: no RESULT line (exit $rc)"
		printf '%s\n' "$out" | tail -n 20
		fail=$((fail + 1)); return
	fi
	p=${res% *}; f=${res#* }
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	printf '%s\n' "$out" | grep -E '^(FAIL|SKIP)' | sed "s/^/  [$name] /"
	s=$(printf '%s\n' "$out" | grep -c '^SKIP')
	noreason=$(printf '%s\n' "$out" | grep '^SKIP' | grep -vc '^SKIP [^:]*: *[^ ]')
	if [ "$noreason" -gt 0 ]; then
		echo "FAIL $name: $noreason SKIP line(s) without 'SKIP what: reason'"
		f=$((f + 1))
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		if [ "$s" -eq 0 ]; then
			echo "FAIL $name: checked nothing and printed no SKIP reason"
			fail=$((fail + 1)); return
		fi
		echo "$name: skipped"; skip=$((skip + s)); return
	fi
	echo "$name: $p ok, $f failed"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_suite "$(basename "$t")" "$t"
done
for t in tests/suites/*.sh; do
	[ -f "$t" ] || continue
	run_suite "$(basename "$t" .sh)" sh "$t"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
