#!/bin/sh
# make fp-check: the false-positive captures pcaps/gen/fp_*.pcap must be what
# tests/tools/mkfp makes, and each named destination must get its correct
# verdict (tests/corpus/fp_expect.tsv).  `make test` runs it (suite
# fp_check); ends "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
p=0; f=0
if ! build/tools/mkfp "$tmp"; then echo "FAIL mkfp"; echo "0 passed, 1 failed"; exit 1; fi
grep -v '^#' tests/corpus/fp_expect.tsv | while IFS='	' read -r cap dest want _ cause; do
	if ! cmp -s "$tmp/$cap" "pcaps/gen/$cap"; then
		echo "FAIL $cap differs from what build/tools/mkfp makes (rerun build/tools/mkfp pcaps/gen)"
		echo f >> "$tmp/res"; continue
	fi
	./tamperscope analyze -q -o "$tmp/r.json" "pcaps/gen/$cap" 2>"$tmp/err" || {
		echo "FAIL $cap: tamperscope exit $? $(cat "$tmp/err")"; echo f >> "$tmp/res"; continue; }
	got=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = [x for x in d["destinations"] if x["destination"] == sys.argv[2]]
if not v: print("absent")
else:
    x = v[0]
    print(x["verdict"] + "".join(" %s:%s" % (s["type"], ",".join(sorted(s["evidence"]))) for s in x["signatures"]))
' "$tmp/r.json" "$dest")
	case "|$want|" in
	*"|${got%% *}|"*) echo "ok   $cap: $dest ${got%% *}"; echo p >> "$tmp/res" ;;
	*) echo "FAIL $cap (cause $cause): $dest is $got, want $want"; echo f >> "$tmp/res" ;;
	esac
done
[ -f "$tmp/res" ] && { p=$(grep -c p "$tmp/res"); f=$(grep -c f "$tmp/res"); }
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
