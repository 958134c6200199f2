#!/bin/sh
# capture_workers.sh - `tamperscope capture --workers 2` equals offline
# analysis of the same packets when the connections to one dropped
# destination land on different workers (issue #13).
#
# One private namespace tsw-PID holding a veth pair r0 <-> r1 (no addresses:
# the frames carry 198.18.0.0/15 ones; IPv6 off in the namespace so the
# kernel sends nothing of its own).  tests/live/fanout_plan.py measures
# which PACKET_FANOUT_HASH slot each candidate flow takes on r1 and writes a
# capture whose drop connections are spread over both slots;
# tests/live/replay.py sends it out of r0 with its timing while
# `capture --workers 2` (and tcpdump) listen on r1.  The expectation is the
# offline `analyze` of the generated capture (and of tcpdump's copy):
# per destination verdict, tcp counters, signature counts, confidences and
# evidence counts.  The root namespace is never touched.
# Prints "RESULT <passed> <failed>" last.  Needs root (else SKIP).
[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=${TS_BIN:-$ROOT/tamperscope}
PY=/usr/bin/python3
LIVE=$ROOT/tests/live
. "$LIVE/common.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP capture_workers: not root (needs network namespaces and packet sockets)"
	echo "RESULT 0 0"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	echo "FAIL capture_workers: $BIN not built"
	echo "RESULT 0 1"
	exit 1
fi
for t in ip tcpdump; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "SKIP capture_workers: $t not installed"
		echo "RESULT 0 0"
		exit 0
	fi
done

NS=tsw-$$
N="ip netns exec $NS"
PIDS=""
WORK=$(mktemp -d /tmp/tsw-workers.XXXXXX)

finish() {
	trap - EXIT INT TERM
	for p in $PIDS; do stop_pid "$p"; done
	ip netns list | grep -q "^$NS\b" && ip netns del "$NS" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
trap 'exit 1' INT TERM

wait_for() { # file pattern tenths
	local i
	for i in $(seq "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

topo_up() {
	ip netns add "$NS" || return 1
	$N sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS" link add r0 type veth peer name r1 || return 1
	ip -n "$NS" link set lo up
	ip -n "$NS" link set r0 up || return 1
	ip -n "$NS" link set r1 up || return 1
	$N ethtool -K r1 gro off lro off >/dev/null 2>&1
	$N ethtool -K r0 tso off gso off >/dev/null 2>&1
	return 0
}

if ! topo_up; then
	bad "namespace with a veth pair could not be made"
	echo "RESULT $pass $fail"
	exit 1
fi
ok "namespace $NS with veth r0 <-> r1"

# ---- 1. the capture, built for the kernel's fanout split ------------------
if $N $PY "$LIVE/fanout_plan.py" r1 "$WORK/replay.pcap" "$WORK/plan.json" r0 > "$WORK/plan.out" 2>&1; then
	ok "fanout plan: drop connections spread over both slots ($(cat "$WORK/plan.out"))"
else
	bad "fanout plan: $(cat "$WORK/plan.out")"
	echo "RESULT $pass $fail"
	exit 1
fi
"$BIN" analyze -q -o "$WORK/offline.json" -e "$WORK/offline.jsonl" "$WORK/replay.pcap"
check "offline analyze of the generated capture (exit $?)" [ -s "$WORK/offline.json" ]
# the scenario must be what the plan says, or the comparison proves nothing
out=$($PY -c '
import json, sys
r = {d["destination"]: d for d in json.load(open(sys.argv[1]))["destinations"]}
n = lambda d: sum(s["count"] for s in r.get(d, {}).get("signatures", []) if s["type"] == "syn_drop")
print("drop2 %s, drop3 %s" % (n("drop2.example"), n("drop3.example")), end="")
sys.exit(0 if (n("drop2.example"), n("drop3.example")) == (2, 3) else 1)' "$WORK/offline.json"); rc=$?
check "offline: drop2.example and drop3.example have syn_drop x2 / x3 ($out)" [ "$rc" = 0 ]

# ---- 2. replay into capture --workers 2 (and tcpdump) -----------------------
$N tcpdump -i r1 --immediate-mode -U -s 0 -w "$WORK/tcpdump.pcap" "tcp or udp" > "$WORK/tcpdump.log" 2>&1 &
TD=$!; PIDS="$PIDS $TD"
wait_for "$WORK/tcpdump.log" "listening on" 100 || bad "tcpdump did not start: $(cat "$WORK/tcpdump.log")"
$N "$BIN" capture -i r1 -f "tcp or udp" --workers 2 --interval 0 --stats 1 \
	-o "$WORK/live.json" -e "$WORK/live.jsonl" 2>"$WORK/live.err" &
TS=$!; PIDS="$PIDS $TS"
if ! wait_for "$WORK/live.err" "capturing on r1 (2 workers" 100; then
	bad "capture --workers 2 did not start: $(cat "$WORK/live.err")"
	echo "RESULT $pass $fail"
	exit 1
fi
sleep 0.3
out=$($N $PY "$LIVE/replay.py" r0 "$WORK/replay.pcap" 2>&1)
check "replay: $out" [ "$?" = 0 ]
sleep 1.5                          # ring blocks time out after 100 ms
kill -INT "$TS"
for i in $(seq 300); do kill -0 "$TS" 2>/dev/null || break; sleep 0.1; done
wait "$TS"; rc=$?
check "capture --workers 2: SIGINT, exit 0 (got $rc)" [ "$rc" = 0 ]
stop_pid "$TD"
"$BIN" analyze -q -o "$WORK/tcpdump.json" "$WORK/tcpdump.pcap"

sent=$($PY -c 'import sys; sys.path.insert(0, sys.argv[2]); import replay; print(sum(1 for _ in replay.frames(sys.argv[1])))' \
	"$WORK/replay.pcap" "$LIVE" 2>/dev/null)
got=$(tcpdump -r "$WORK/tcpdump.pcap" 2>/dev/null | wc -l)
check "every replayed frame reached r1 (sent $sent, tcpdump saw $got)" [ -n "$sent" -a "$sent" = "$got" ]
out=$($PY -c '
import json, sys
st = [json.loads(l)["stats"] for l in open(sys.argv[1]) if "\"event_type\":\"stats\"" in l][-1]
want = json.load(open(sys.argv[2]))["packets_per_slot"]
print("per worker %s, planned %s" % (st["packets_per_worker"], want), end="")
sys.exit(0 if st["packets_per_worker"] == want else 1)' "$WORK/live.jsonl" "$WORK/plan.json" 2>&1); rc=$?
check "the workers got the packets the plan put in their fanout slots ($out)" [ "$rc" = 0 ]

# ---- 3. the comparison --------------------------------------------------------
out=$($PY "$LIVE/report_diff.py" "$WORK/offline.json" "$WORK/live.json" 2>&1); rc=$?
check "capture --workers 2 = analyze of the replayed capture (verdicts, tcp, signature counts, confidence, evidence)$(
	[ $rc != 0 ] && printf ': %s' "$(echo "$out" | tr '\n' ';')")" [ "$rc" = 0 ]
out=$($PY "$LIVE/report_diff.py" "$WORK/tcpdump.json" "$WORK/live.json" 2>&1); rc=$?
check "capture --workers 2 = analyze of tcpdump's copy of the replay$(
	[ $rc != 0 ] && printf ': %s' "$(echo "$out" | tr '\n' ';')")" [ "$rc" = 0 ]
out=$($PY "$LIVE/report_diff.py" "$WORK/offline.json" "$WORK/tcpdump.json" 2>&1); rc=$?
check "tcpdump's copy analyses like the generated capture (timing kept)$(
	[ $rc != 0 ] && printf ': %s' "$(echo "$out" | tr '\n' ';')")" [ "$rc" = 0 ]

finish
left=$(ip netns list | grep -c "^$NS\b")
check "no namespace left behind" [ "$left" = 0 ]
echo "RESULT $pass $fail"
[ "$fail" = 0 ]
