#!/bin/sh
# fp_check.sh - the smallest capture of each false-positive cause found on
# real everyday traffic (pcaps/gen/fp_*.pcap, made by tests/tools/mkfp.c;
# tests/corpus/ADJUDICATION.md) gets its correct verdict, and each file is
# what mkfp makes.  One check per capture (tests/corpus/fp-check.sh).
cd "$(dirname "$0")/../.." || exit 2
out=$(sh tests/corpus/fp-check.sh 2>&1)
printf '%s\n' "$out" | grep -E '^(ok|FAIL)'
line=$(printf '%s\n' "$out" | tail -n 1)
p=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
f=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
[ -n "$p" ] || { echo "FAIL fp_check: no closing line: $line"; echo "RESULT 0 1"; exit 1; }
echo "RESULT $p $f"
[ "$f" -eq 0 ]
