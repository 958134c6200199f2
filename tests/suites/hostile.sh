#!/bin/sh
# hostile.sh - every capture in ../shared/pcaps (benign/, interference/,
# weird/) through the ASan/UBSan build.  Per file: exit 0, or exit 2 with
# exactly one "tamperscope: " stderr line (libpcap refuses the file, or the
# link type is unsupported); no sanitizer output; the report, when written,
# validates against ../shared/report.schema.json; event lines are JSON.
# Plus a capture cut in the middle of a record: partial report + warning.
cd "$(dirname "$0")/../.." || exit 2
SHARED=../shared
BIN=./tamperscope-asan
PY=/usr/bin/python3
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok $*"; }
bad() { fail=$((fail + 1)); echo "FAIL hostile: $*"; }

if [ ! -d "$SHARED/pcaps" ]; then
	echo "SKIP hostile: $SHARED/pcaps absent (../shared not beside the checkout): the third-party captures not run, only the cut-capture case"
fi
if [ ! -x "$BIN" ]; then
	bad "$BIN missing (make asan)"
	echo "RESULT $pass $fail"; exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/rep"
: > "$tmp/list"

# check_run NAME FILE RC ERRFILE: exit code / stderr rules; the report (if
# any) is queued for the schema pass.
check_run() {
	name=$1 f=$2 rc=$3 err=$4
	if grep -qE 'Sanitizer|runtime error:|^SUMMARY:|AddressSanitizer|LeakSanitizer' "$err"; then
		bad "$name: sanitizer output (exit $rc):"; sed -n 1,30p "$err"; return 1
	fi
	if grep -v '^tamperscope: ' "$err" | grep -q .; then
		bad "$name: stderr line without 'tamperscope: ' prefix (exit $rc):"; head -n 5 "$err"; return 1
	fi
	nl=$(wc -l < "$err")
	case $rc in
	0) ;;
	2) if [ "$nl" -ne 1 ]; then
		bad "$name: exit 2 with $nl stderr lines"; head -n 5 "$err"; return 1
	   fi ;;
	124) bad "$name: timeout (10 s)"; return 1 ;;
	*) bad "$name: exit $rc"; head -n 5 "$err"; return 1 ;;
	esac
	return 0
}

n=0
for f in "$SHARED"/pcaps/benign/* "$SHARED"/pcaps/interference/* "$SHARED"/pcaps/weird/*; do
	[ -f "$f" ] || continue
	case $f in *.md|*.txt|*.json) continue ;; esac
	n=$((n + 1))
	name=${f#"$SHARED"/pcaps/}
	rm -f "$tmp/r.json" "$tmp/ev.jsonl"
	timeout 10 "$BIN" analyze -q -o "$tmp/r.json" -e "$tmp/ev.jsonl" "$f" \
		> "$tmp/out" 2> "$tmp/err"
	rc=$?
	check_run "$name" "$f" "$rc" "$tmp/err" || continue
	if grep -q 'truncated or corrupt capture' "$tmp/err" && [ ! -f "$tmp/r.json" ]; then
		bad "$name: truncated capture without a partial report"; continue
	fi
	if [ -f "$tmp/r.json" ]; then
		cp "$tmp/r.json" "$tmp/rep/$n.json"
		[ -s "$tmp/ev.jsonl" ] && cp "$tmp/ev.jsonl" "$tmp/rep/$n.jsonl"
		trunc=0; grep -q 'truncated or corrupt capture' "$tmp/err" && trunc=1
		printf '%s\t%s\t%s\t%s\n' "$n" "$name" "$rc" "$trunc" >> "$tmp/list"
	else
		ok "$name: exit $rc, no report: $(cat "$tmp/err")"
	fi
done

# A capture cut in the middle of a record: exit 0, warning, partial report.
src=$SHARED/pcaps/benign/zeek_tcp_syn-synack.pcap
[ -f "$src" ] || src=$(ls "$SHARED"/pcaps/benign/*.pcap 2>/dev/null | head -n 1)
[ -f "$src" ] || src=pcaps/lab/demo.pcap          # the project's own, without ../shared
sz=$(wc -c < "$src")
head -c $((sz - 7)) "$src" > "$tmp/cut.pcap"
rm -f "$tmp/r.json"
timeout 10 "$BIN" analyze -q -o "$tmp/r.json" "$tmp/cut.pcap" > "$tmp/out" 2> "$tmp/err"
rc=$?
if check_run "cut.pcap" "$tmp/cut.pcap" "$rc" "$tmp/err"; then
	if [ "$rc" -ne 0 ] || ! grep -q '^tamperscope: .*truncated.*partial report' "$tmp/err" ||
	   [ ! -f "$tmp/r.json" ]; then
		bad "cut.pcap: want exit 0, a truncation warning and a report (exit $rc)"; cat "$tmp/err"
	else
		n=$((n + 1)); cp "$tmp/r.json" "$tmp/rep/$n.json"
		printf '%s\t%s\t%s\t%s\n' "$n" "cut.pcap (truncated $(basename "$src"))" 0 1 >> "$tmp/list"
	fi
fi

# Schema pass over every report written (one interpreter for all).
if ! $PY -c 'import jsonschema' 2>/dev/null || [ ! -f "$SHARED/report.schema.json" ]; then
	if [ ! -f "$SHARED/report.schema.json" ]; then
		echo "SKIP hostile: $SHARED/report.schema.json absent, reports not validated"
	else
		echo "SKIP hostile: python3-jsonschema missing, reports not validated"
	fi
	while IFS="$(printf '\t')" read -r i name rc tr; do ok "$name: exit $rc (not validated)"; done < "$tmp/list"
else
	$PY - "$SHARED/report.schema.json" "$tmp/rep" "$tmp/list" > "$tmp/py" 2>&1 <<'PYEOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft7Validator(schema)
for line in open(sys.argv[3]):
    i, name, rc, trunc = line.rstrip("\n").split("\t")
    try:
        r = json.load(open("%s/%s.json" % (sys.argv[2], i)))
        errs = sorted(v.iter_errors(r), key=lambda e: list(e.path))
        if errs:
            e = errs[0]
            print("FAIL hostile: %s: schema: %s at %s" % (name, e.message[:200], "/".join(map(str, e.path))))
            continue
        if trunc == "1" and r["capture"].get("truncated") is not True:
            print("FAIL hostile: %s: truncated input but capture.truncated is not true" % name)
            continue
        try:
            for ln in open("%s/%s.jsonl" % (sys.argv[2], i)):
                json.loads(ln)
        except FileNotFoundError:
            pass
        print("ok %s: exit %s, report valid, %d packets, %d destinations%s" % (
            name, rc, r["capture"]["packets"], len(r["destinations"]),
            ", partial (truncated)" if trunc == "1" else ""))
    except Exception as ex:
        print("FAIL hostile: %s: %s" % (name, ex))
PYEOF
	cat "$tmp/py"
	p=$(grep -c '^ok ' "$tmp/py"); f=$(grep -c '^FAIL' "$tmp/py")
	[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ -s "$tmp/list" ] && { f=1; echo "FAIL hostile: schema check did not run"; }
	pass=$((pass + p)); fail=$((fail + f))
fi
echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
