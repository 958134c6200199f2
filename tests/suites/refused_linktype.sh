#!/bin/sh
# refused_linktype.sh - a file of a link type tamperscope does not analyse
# (LINKTYPE_USER0, 147) is refused with one stderr line and exit 2, and the
# report still written says how many packets were not analysed, the same
# number as the stderr line (bug #13.5: it said 0).
cd "$(dirname "$0")/../.." || exit 2
BIN=${BIN:-./tamperscope}
p=0; f=0
pass() { p=$((p + 1)); echo "ok $*"; }
bad()  { f=$((f + 1)); echo "FAIL refused_linktype: $*"; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
# a classic pcap: DLT 147, three 20-byte records
/usr/bin/python3 - "$tmp/user0.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as o:
    o.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
    for i in range(3):
        o.write(struct.pack("<IIII", 1700000000 + i, 0, 20, 20) + bytes(range(20)))
PY
"$BIN" analyze -q -o "$tmp/r.json" "$tmp/user0.pcap" 2> "$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && pass "exit 2" || bad "exit $rc, want 2"
[ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q '^tamperscope: .*: unsupported link type .*147.*: 3 packets not analysed' "$tmp/err" &&
	pass "one line: $(cat "$tmp/err")" || { bad "stderr:"; cat "$tmp/err"; }
if [ -f "$tmp/r.json" ]; then
	n=$(/usr/bin/python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["capture"]; print(c["unknown_linktype"], c["packets"])' "$tmp/r.json")
	[ "$n" = "3 3" ] && pass "report: unknown_linktype 3, packets 3" || bad "report says unknown_linktype, packets = $n, want 3 3"
else
	bad "no report written"
fi
echo "RESULT $p $f"
