#!/bin/sh
# live_capture.sh - `tamperscope capture` on a veth in network namespaces.
#
# Topology (namespaces tsl-PID-*, addresses only 198.18.0.0/15 / 2001:db8::/32):
#   tsl-cli  c0 198.18.20.2 2001:db8:20::2
#      |
#   tsl-gw   gc 198.18.20.1 (capture point)  gs 198.18.21.1   iptables censor:
#            RST (REJECT tcp-reset) on "Host: blocked.example" / "Host: twitter.com",
#            SYN DROP to dropped.example
#      |
#   tsl-srv  s0 198.18.21.2 + .10-.13, resolver .53; TTL/hop limit 50
# The root namespace's interfaces, routes and firewall are never touched.
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
	echo "SKIP live: not root (network namespaces, veths, iptables and live capture need root)"
	echo "RESULT 0 0"
	exit 0
fi
missing=""
for t in ip iptables ip6tables tcpdump setpriv; do
	command -v $t >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "SKIP live: missing tools:$missing (iproute2, iptables, tcpdump, util-linux; tools/install-deps.sh)"
	echo "RESULT 0 0"
	exit 0
fi
if ! ip netns add tsl-$$-probe 2>/dev/null; then
	echo "SKIP live: cannot create network namespaces here (ip netns add failed: no CAP_SYS_ADMIN?)"
	echo "RESULT 0 0"
	exit 0
fi
ip netns del tsl-$$-probe
if [ ! -x "$BIN" ]; then
	echo "FAIL live: $BIN not built"
	echo "RESULT 0 1"
	exit 1
fi

# per-run names: `make test` may run this suite while another run is going
NS_C=tsl-$$-cli NS_G=tsl-$$-gw NS_S=tsl-$$-srv
C="ip netns exec $NS_C"
G="ip netns exec $NS_G"
S="ip netns exec $NS_S"
PIDS=""
# the test's traffic only: a stray ARP/ND packet between stopping tcpdump and
# stopping tamperscope would make the two captures differ by one packet
FILTER="tcp or udp"
WORK=$(mktemp -d /tmp/tsl-live.XXXXXX)
chmod 755 "$WORK"

topo_down() {
	for p in $PIDS; do stop_pid "$p"; done
	PIDS=""
	for ns in $NS_C $NS_G $NS_S; do
		ip netns list | grep -q "^$ns\b" && ip netns del "$ns" 2>/dev/null
	done
	true
}

finish() {
	trap - EXIT INT TERM
	topo_down
	if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
trap 'exit 1' INT TERM

topo_up() {
	topo_down
	for ns in $NS_C $NS_G $NS_S; do ip netns add "$ns" || return 1; done
	ip link add c0 netns $NS_C type veth peer name gc netns $NS_G || return 1
	ip link add gs netns $NS_G type veth peer name s0 netns $NS_S || return 1
	for ns in $NS_C $NS_G $NS_S; do
		ip netns exec $ns ip link set lo up
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	$C ip addr add 198.18.20.2/24 dev c0
	$C ip addr add 2001:db8:20::2/64 dev c0 nodad
	$C ip link set c0 up
	$C ip route add default via 198.18.20.1
	$C ip -6 route add default via 2001:db8:20::1
	$G ip addr add 198.18.20.1/24 dev gc
	$G ip addr add 2001:db8:20::1/64 dev gc nodad
	$G ip addr add 198.18.21.1/24 dev gs
	$G ip addr add 2001:db8:21::1/64 dev gs nodad
	$G ip link set gc up
	$G ip link set gs up
	$G sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	$S ip addr add 198.18.21.2/24 dev s0
	$S ip addr add 2001:db8:21::2/64 dev s0 nodad
	for h in 10 11 12 13 53; do
		$S ip addr add 198.18.21.$h/32 dev s0
		$S ip addr add 2001:db8:21::$h/128 dev s0 nodad
	done
	$S ip link set s0 up
	$S ip route add default via 198.18.21.1
	$S ip -6 route add default via 2001:db8:21::1
	# server packets reach the capture point with TTL 49, gateway-made ones with 64
	$S sysctl -qw net.ipv4.ip_default_ttl=50 net.ipv6.conf.all.hop_limit=50 net.ipv6.conf.s0.hop_limit=50
	# real frames at the capture point: no GRO/TSO super-packets on the veths
	for i in gc gs; do $G ethtool -K $i gro off tso off gso off >/dev/null 2>&1; done
	$C ethtool -K c0 tso off gso off >/dev/null 2>&1
	$S ethtool -K s0 tso off gso off >/dev/null 2>&1
	for ipt in iptables ip6tables; do
		for n in blocked.example twitter.com; do
			$G $ipt -A FORWARD -p tcp --dport 80 -m string --algo bm \
			    --string "Host: $n" -j REJECT --reject-with tcp-reset || return 1
		done
	done
	$G iptables -A FORWARD -p tcp -d 198.18.21.12 --syn -j DROP || return 1
	$G ip6tables -A FORWARD -p tcp -d 2001:db8:21::12 --syn -j DROP || return 1
	$S $PY "$LIVE/srv.py" 198.18.21.53 \
	    clean.example=198.18.21.10,2001:db8:21::10 \
	    blocked.example=198.18.21.11,2001:db8:21::11 \
	    dropped.example=198.18.21.12,2001:db8:21::12 \
	    twitter.com=198.18.21.13,2001:db8:21::13 > "$WORK/srv.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for "$WORK/srv.log" ready 50 || return 1
	$C $PY -c 'import socket; socket.create_connection(("198.18.21.10", 80), 5).close()' || return 1
	return 0
}

wait_for() { # file pattern tenths
	local i
	for i in $(seq "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

udp_burst() { # n datagrams from the client to the server's discard port
	$C $PY -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[1])):
    s.sendto(b"x", ("198.18.21.10", 9)); time.sleep(0.02)' "$1"
}

traffic() { # rounds
	$C $PY "$LIVE/cli.py" 198.18.21.53 "$1" clean.example blocked.example \
	    dropped.example twitter.com clean.example/6 blocked.example/6 \
	    dropped.example/6 clean.example >> "$WORK/cli.log" 2>&1
}

end_marker() { # past the SYN timeout in packet time, so every dropped SYN gets its verdict
	sleep 3.5
	$C $PY "$LIVE/cli.py" 198.18.21.53 1 clean.example >> "$WORK/cli.log" 2>&1
	sleep 0.5
}

start_tcpdump() { # file
	$G tcpdump -i gc --immediate-mode -U -s 0 -Z root -w "$1" "$FILTER" > "$1.log" 2>&1 &
	TD_PID=$!
	PIDS="$PIDS $TD_PID"
	wait_for "$1.log" "listening on" 100
}

stop_wait() { # pid signal -> exit status (waits up to 30 s)
	local i
	kill -"$2" "$1" 2>/dev/null
	for i in $(seq 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	wait "$1"
}

offline() { # pcap prefix
	"$BIN" analyze -q -o "$2.json" -e "$2.jsonl" "$1"
}

if ! topo_up; then
	bad "topology: cannot build the namespaces (iptables string match? veth?)"
	echo "RESULT $pass $fail"
	exit 1
fi
ok "topology up"

# ---- 1. errors: a missing interface, an unprivileged run --------------------
out=$($G "$BIN" capture -i tsl-nosuch0 -o /dev/null 2>&1); rc=$?
check "missing interface: exit 2 (got $rc)" [ "$rc" = 2 ]
check "missing interface: one clear line ($out)" \
	sh -c '[ $(printf "%s\n" "$1" | wc -l) = 1 ] && printf "%s" "$1" | grep -q "^tamperscope: tsl-nosuch0: no such interface$"' _ "$out"
out=$($G setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$BIN" capture -i gc -o /dev/null 2>&1); rc=$?
check "unprivileged: exit 2 (got $rc)" [ "$rc" = 2 ]
check "unprivileged: one clear line ($out)" \
	sh -c '[ $(printf "%s\n" "$1" | wc -l) = 1 ] && printf "%s" "$1" | grep -q "^tamperscope: gc: permission denied.*CAP_NET_RAW"' _ "$out"
out=$($G "$BIN" capture -i gc -Z tsl-no-such-user 2>&1); rc=$?
check "-Z unknown user refused (exit $rc)" [ "$rc" = 1 ]

out=$($G "$BIN" capture -i gc -f "tcp port" -o /dev/null 2>&1); rc=$?
check "bad BPF filter: exit 1 (got $rc)" [ "$rc" = 1 ]
mkdir -p "$WORK/rootonly"; chmod 755 "$WORK/rootonly"
out=$($G "$BIN" capture -i gc -Z nobody --duration 1 -o "$WORK/rootonly/r.json" 2>&1); rc=$?
check "-Z nobody, report directory not writable by nobody: exit 3 at start (got $rc)" \
	sh -c '[ "$1" = 3 ] && printf "%s" "$2" | grep -q "must be writable by nobody"' _ "$rc" "$out"

# the interface goes away under a running capture: one line, exit 2, final report
$G ip link add tx0 type veth peer name tx1
$G ip link set tx0 up; $G ip link set tx1 up
$G "$BIN" capture -q -i tx1 -o "$WORK/gone.json" 2>"$WORK/gone.err" &
P=$!; PIDS="$PIDS $P"
sleep 1
$G ip link del tx0
for i in $(seq 100); do kill -0 $P 2>/dev/null || break; sleep 0.1; done
if kill -0 $P 2>/dev/null; then bad "interface removed: still running"; stop_pid $P; else
	wait $P; rc=$?
	check "interface removed: exit 2 (got $rc), one line ($(cat "$WORK/gone.err"))" \
		sh -c '[ "$1" = 2 ] && [ $(wc -l < "$2") = 1 ] && grep -q "^tamperscope: tx1: " "$2"' _ "$rc" "$WORK/gone.err"
	check "interface removed: final report written" $PY "$LIVE/compare.py" valid "$WORK/gone.json"
fi

# ---- 2. -c and --duration ---------------------------------------------------
$G "$BIN" capture -q -i gc -c 5 -o "$WORK/c5.json" 2>"$WORK/c5.err" &
P=$!; PIDS="$PIDS $P"
sleep 0.5
udp_burst 30
for i in $(seq 50); do kill -0 $P 2>/dev/null || break; sleep 0.1; done
if kill -0 $P 2>/dev/null; then bad "-c 5: still running"; stop_pid $P; else
	wait $P; rc=$?
	n=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["capture"]["packets"])' "$WORK/c5.json" 2>/dev/null)
	check "-c 5: exit 0 (got $rc), 5 packets (got $n)" [ "$rc" = 0 -a "$n" = 5 ]
fi
t0=$(date +%s)
$G "$BIN" capture -q -i gc --duration 2 -o "$WORK/dur.json"; rc=$?
t1=$(date +%s)
check "--duration 2: exit 0 (got $rc) within 2-15 s (took $((t1 - t0)))" \
	[ "$rc" = 0 -a $((t1 - t0)) -ge 1 -a $((t1 - t0)) -le 15 ]
check "--duration: valid report" $PY "$LIVE/compare.py" valid "$WORK/dur.json"

# ---- 3. one worker, -Z nobody, --interval 1, SIGHUP, vs tcpdump + analyze ----
A=$WORK/a; mkdir -p "$A"; chown nobody:nogroup "$A"
start_tcpdump "$A/tcpdump.pcap" || bad "tcpdump did not start"
$G "$BIN" capture -i gc -f "$FILTER" -Z nobody --interval 1 -o "$A/report.json" -e "$A/events.jsonl" \
	2>"$A/err.log" &
TS=$!; PIDS="$PIDS $TS"
wait_for "$A/err.log" "capturing on gc" 100 || bad "capture did not start: $(cat "$A/err.log")"
uid=$(awk '/^Uid:/ {print $2 $3 $4 $5}' /proc/$TS/status 2>/dev/null)
gid=$(awk '/^Gid:/ {print $2 $3 $4 $5}' /proc/$TS/status 2>/dev/null)
check "-Z nobody: process runs as uid 65534 (Uid $uid, Gid $gid)" \
	[ "$uid" = 65534655346553465534 -a "$gid" = 65534655346553465534 ]
check "-Z nobody: files owned by nobody" \
	[ "$(stat -c %U "$A/events.jsonl")" = nobody -a "$(stat -c %U "$A/report.json")" = nobody ]
$PY "$LIVE/readloop.py" "$A/report.json" "$A/stop" > "$A/readloop.out" 2>&1 &
RL=$!; PIDS="$PIDS $RL"
traffic 1
sleep 1.5
mv "$A/events.jsonl" "$A/events.1.jsonl"
kill -HUP $TS
sleep 0.5
traffic 1
end_marker
touch "$A/stop"; wait $RL
stop_wait $TS INT; rc=$?
check "SIGINT: exit 0 (got $rc)" [ "$rc" = 0 ]
stop_pid $TD_PID
read -r _ reads _ invalid < "$A/readloop.out"
check "--interval 1: $reads reads of the report while rewritten, $invalid invalid" \
	[ "${reads:-0}" -gt 20 -a "${invalid:-1}" = 0 ]
# tamper events come when a detector decides (often at flow end), stats lines
# every second: the renamed file holds the lines from before the HUP, the new
# one those from after; together they must equal the offline events (below)
check "SIGHUP: renamed file kept the lines before the HUP" grep -q '"event_type":"stats"' "$A/events.1.jsonl"
check "SIGHUP: reopened file got the lines after it" \
	sh -c 'grep -q "\"event_type\":\"tamper\"" "$1" && grep -q "\"event_type\":\"stats\"" "$1"' _ "$A/events.jsonl"
check "SIGHUP: reopened file created by nobody" [ "$(stat -c %U "$A/events.jsonl")" = nobody ]
check "stats lines in the event stream" \
	sh -c 'grep "\"event_type\":\"stats\"" "$1" | grep -q "\"ps_drop\":0" && grep -q "\"final\":true" "$2"' _ "$A/events.1.jsonl" "$A/events.jsonl"
check "live report is valid" $PY "$LIVE/compare.py" valid "$A/report.json"
offline "$A/tcpdump.pcap" "$A/offline"
check "1 worker: report = offline analyze of the tcpdump capture (verdicts, counts, confidence)" \
	$PY "$LIVE/compare.py" report "$A/report.json" "$A/offline.json" --conf
check "1 worker: events (both files) = offline events" \
	$PY "$LIVE/compare.py" events "$A/events.1.jsonl,$A/events.jsonl" "$A/offline.jsonl"
check "verdicts as staged: blocked.example, twitter.com, dropped.example interfered; clean.example clean" \
	$PY -c '
import json, sys
v = {d["destination"]: d["verdict"] for d in json.load(open(sys.argv[1]))["destinations"]}
want = {"blocked.example": "interfered", "twitter.com": "interfered",
        "dropped.example": "interfered", "clean.example": "clean"}
bad = {k: v.get(k) for k in want if v.get(k) != want[k]}
print(bad or "", end="")
sys.exit(1 if bad else 0)' "$A/report.json"
SCHEMA=$ROOT/../shared/report.schema.json
if [ ! -f "$SCHEMA" ]; then
	echo "SKIP live: $SCHEMA absent (../shared), live report not validated against the schema"
elif ! $PY -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP live: python3-jsonschema missing, live report not validated against the schema"
else
	check "live report validates against report.schema.json" /usr/bin/python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$A/report.json" "$SCHEMA"
fi

# ---- 4. two workers (PACKET_FANOUT) -----------------------------------------
B=$WORK/b; mkdir -p "$B"
start_tcpdump "$B/tcpdump.pcap" || bad "tcpdump did not start"
$G "$BIN" capture -i gc -f "$FILTER" --workers 2 --interval 0 -o "$B/report.json" -e "$B/events.jsonl" \
	--html "$B/report.html" --evidence "$B" 2>"$B/err.log" &
TS=$!; PIDS="$PIDS $TS"
wait_for "$B/err.log" "capturing on gc (2 workers" 100 || bad "2 workers did not start: $(cat "$B/err.log")"
check "--workers 2: two threads" [ "$(ls /proc/$TS/task 2>/dev/null | wc -l)" -ge 3 ]
traffic 2
end_marker
stop_wait $TS TERM; rc=$?
check "SIGTERM: exit 0 (got $rc)" [ "$rc" = 0 ]
stop_pid $TD_PID
offline "$B/tcpdump.pcap" "$B/offline"
check "2 workers: report = offline analyze (verdicts, counts)" \
	$PY "$LIVE/compare.py" report "$B/report.json" "$B/offline.json"
check "2 workers = 1 worker (same traffic: verdicts, counts)" \
	$PY "$LIVE/compare.py" report "$B/report.json" "$A/report.json" --dests-only
check "2 workers: both workers got packets (PACKET_FANOUT spreads flows)" $PY -c '
import json, sys
st = [json.loads(l)["stats"] for l in open(sys.argv[1]) if "\"event_type\":\"stats\"" in l][-1]
sys.exit(0 if len(st["packets_per_worker"]) == 2 and min(st["packets_per_worker"]) > 0 else 1)' "$B/events.jsonl"
check "--html: the live run also wrote the HTML page" grep -q "tamperscope report" "$B/report.html"
check "--evidence: the live run wrote evidence pcaps" sh -c 'ls "$1"/1_*.pcap >/dev/null 2>&1' sh "$B"
check "2 workers: event lines are whole JSON" \
	$PY -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$B/events.jsonl"

topo_down
left=$(ip netns list | grep -c "^tsl-$$-")
check "no namespaces left behind" [ "$left" = 0 ]
echo "RESULT $pass $fail"
[ "$fail" = 0 ]
