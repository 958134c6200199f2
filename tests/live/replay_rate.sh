#!/bin/bash
# replay_rate.sh - measure (not a test) how fast one capture worker keeps up:
# replays PCAP into a veth pair inside a private namespace (tsl-rp-PID) with
# tcpreplay, captures on the peer, and prints packets seen / kernel drops.
#   bash tests/live/replay_rate.sh PCAP [RATE...]      RATE: pps number or "top"
# Env: WORKERS (default 1), BUF (capture -B KiB, default 32768), TS_BIN.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${TS_BIN:-$PWD/tamperscope}
PCAP=$1; shift
RATES=${*:-top}
NS=tsl-rp-$$
OUT=$(mktemp -d /tmp/tsl-rp.XXXXXX)
CAP=""
cleanup() {
	[ -n "$CAP" ] && kill "$CAP" 2>/dev/null && wait "$CAP" 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -rf "$OUT"
}
trap cleanup EXIT
ip netns add $NS || exit 2
ip -n $NS link add r0 type veth peer name r1
ip -n $NS link set r0 mtu 9000 up
ip -n $NS link set r1 mtu 9000 up
ip netns exec $NS ethtool -K r1 gro off >/dev/null 2>&1
printf '%-10s %10s %10s %10s %10s %9s\n' rate sent_pps seen ps_drop ps_ifdrop drop%
for r in $RATES; do
	ip netns exec $NS "$BIN" capture -q -i r1 --workers "${WORKERS:-1}" -B "${BUF:-32768}" \
		--interval 0 -o "$OUT/r.json" -e "$OUT/e.jsonl" 2>"$OUT/err" &
	CAP=$!
	sleep 1
	if [ "$r" = top ]; then opt=--topspeed; else opt=--pps=$r; fi
	ip netns exec $NS tcpreplay -q -K -i r0 $opt "$PCAP" > "$OUT/tr" 2>&1
	sleep 1
	kill -INT $CAP; wait $CAP; CAP=""
	sent=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' "$OUT/tr" | head -1)
	python3 - "$OUT/e.jsonl" "$r" "$sent" <<'PY'
import json, sys
st = [json.loads(l)["stats"] for l in open(sys.argv[1]) if '"event_type":"stats"' in l][-1]
seen, d, ifd = st["packets"], st["ps_drop"], st["ps_ifdrop"]
tot = seen + d
print("%-10s %10s %10d %10d %10d %8.2f%%" % (sys.argv[2], sys.argv[3] or "?", seen, d, ifd,
      100.0 * d / tot if tot else 0))
PY
	rm -f "$OUT/e.jsonl"
done
