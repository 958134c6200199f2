#!/bin/sh
# Lab test: record fresh captures in the namespace lab (root), analyze each
# with ./tamperscope, compare with the ground truth; prints "RESULT p f".
# Destinations whose truth is "pending" (no detector yet) print
# "SKIP <capture>: ..." with the reason instead of failing (see check.py).
#
#   sh tests/lab/lab-test.sh [scenario...]     record + analyze + check (root)
#   sh tests/lab/lab-test.sh --stored          analyze + check pcaps/lab/*.pcap
#                                              (the committed captures; no root)
# Env: LAB_TOLERANCE (default 0.25: counts may differ by timing),
#      TS_SCHEMA (report JSON Schema to validate against), LAB_KEEP=1 keeps
#      the temporary directory.
cd "$(dirname "$0")/../.." || exit 2
PY=/usr/bin/python3
TOL=${LAB_TOLERANCE:-0.25}
BIN=./tamperscope
pass=0 fail=0

if [ ! -x "$BIN" ]; then
	echo "FAIL lab-test: $BIN not built (make tamperscope)"
	echo "RESULT 0 1"; exit 1
fi
tmp=$(mktemp -d /tmp/tslabtest.XXXXXX)
cleanup() { [ -n "${LAB_KEEP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${1:-}" = "--stored" ]; then
	caps=pcaps/lab
else
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP lab-test: recording needs root (try --stored)"
		echo "RESULT 0 0"; exit 0
	fi
	caps=$tmp/pcaps
	sh tests/lab/lab.sh record "$caps" "$@" 2> "$tmp/record.log"
	rc=$?
	grep -E 'WARNING|problems|failed' "$tmp/record.log" | sed 's/^/WARN lab: /'
	if ! ls "$caps"/*.truth.json >/dev/null 2>&1; then
		echo "FAIL lab-test: recording produced nothing (exit $rc)"; tail -n 20 "$tmp/record.log"
		echo "RESULT 0 1"; exit 1
	fi
fi

mkdir -p "$tmp/reports"
for t in "$caps"/*.truth.json; do
	n=$(basename "$t" .truth.json)
	if "$BIN" analyze -o "$tmp/reports/$n.json" "$caps/$n.pcap" > "$tmp/reports/$n.out" 2>&1; then
		pass=$((pass + 1))
	else
		echo "FAIL lab-test: tamperscope analyze $n.pcap exited non-zero: $(tail -n 1 "$tmp/reports/$n.out")"
		fail=$((fail + 1))
	fi
done

schema=${TS_SCHEMA:-}
if [ -z "$schema" ]; then
	for s in data/report.schema.json docs/report.schema.json report.schema.json ../shared/report.schema.json; do
		[ -f "$s" ] && { schema=$s; break; }
	done
fi
[ -n "$schema" ] || echo "SKIP lab-test: no report.schema.json (../shared absent), reports not validated"
out=$($PY tests/lab/check.py --aggregate "$tmp/reports" "$caps" --tolerance "$TOL" ${schema:+--schema "$schema"})
printf '%s\n' "$out" | grep -v '^RESULT' | grep -v '^PASS'
res=$(printf '%s\n' "$out" | sed -n 's/^RESULT \([0-9]*\) \([0-9]*\)$/\1 \2/p' | tail -n 1)
if [ -z "$res" ]; then
	echo "FAIL lab-test: check.py printed no RESULT"
	fail=$((fail + 1))
else
	pass=$((pass + ${res% *})); fail=$((fail + ${res#* }))
fi
echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
