#!/bin/sh
# tamperscope censor lab: Linux network namespaces, a censoring gateway, real
# servers and clients; records gateway-vantage captures with ground truth.
#
#   sh tests/lab/lab.sh record OUTDIR [scenario...]   (root; default: all)
#   sh tests/lab/lab.sh list
#   sh tests/lab/lab.sh clean                          (remove leftovers)
#
# Topology (all addresses from 198.18.0.0/15 and 2001:db8::/32, only inside
# namespaces named ts-*):
#   ts-cli  c0 198.18.0.2/24 2001:db8:0::2/64
#      |
#   ts-gw   gc 198.18.0.1 2001:db8:0::1      (capture point: gc)
#           gs 198.18.1.1 2001:db8:1::1      (the censor: iptables + censor.py)
#      |
#   ts-srv  s0 198.18.1.2 + one address per name (below), resolver .53/.54,
#           block page 198.18.3.66/.67; default TTL / hop limit 50, so server
#           packets reach the capture point with 49, gateway-made ones with 64.
# Each scenario builds the lab afresh (no state or stray packets leak from one
# capture into the next) and captures on both gateway interfaces: gc is the
# recording, gs only serves the ground truth (what the censor dropped or forged
# = what differs between the two sides).
[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u
LAB=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
IPT=iptables
IP6T=ip6tables
GWMAC=02:00:00:00:00:01 CLIMAC=02:00:00:00:00:02 GWSMAC=02:00:00:00:00:03 SRVMAC=02:00:00:00:00:04

# name -> host number in 198.18.1.0/24 and 2001:db8:1::/64
declare -A HOSTNUM=(
	[twitter.com]=10 [www.facebook.com]=11 [instagram.com]=12 [youtube.com]=13
	[t.me]=14 [example.org]=20 [wikipedia.org]=21 [example.net]=22
	[example.com]=23 [debian.org]=24 [www.bbc.com]=25 [api.twitter.com]=26 )
v4() { echo "198.18.1.${HOSTNUM[$1]}"; }
v6() { echo "2001:db8:1::${HOSTNUM[$1]}"; }
RES4=198.18.1.53 RES4B=198.18.1.54 RES6=2001:db8:1::53 RES6B=2001:db8:1::54
BLOCK4=198.18.3.66 BLOCK4B=198.18.3.67

C="ip netns exec ts-cli"
G="ip netns exec ts-gw"
S="ip netns exec ts-srv"

ALL_SCENARIOS="rst_inpath_v4 rst_inpath_v6 rst_onpath_v4 rst_onpath_v6
rst_onpath_ack_v4 rst_onpath_syn_v4 syn_drop_v4 syn_drop_v6 data_drop_v4
data_drop_v6 benign_v4 benign_v6 demo dns_onpath_v4 dns_onpath_v6
dns_inpath_v4 dns_benign_v4 dns_benign_v6 quic_drop_v4 http_inject_v4
icmp_prohibited_v4 icmp_prohibited_v6 throttle_v4 throttle_v6
throttle_pace_v4 throttle_slowlink_v4 blackhole_v4 blackhole_v6 dns_nxthin_v4
blockpage_v4 blockpage_v6 qi_v4"

BG_PIDS=""      # every background process we start, killed by PID
WORK=""
MADE_ETC_NETNS=0

log() { echo "lab: $*" >&2; }

kill_pids() {
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $BG_PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	BG_PIDS=""
}

lab_down() {
	kill_pids
	for ns in ts-cli ts-gw ts-srv; do
		if ip netns list | grep -qw "^$ns"; then
			# leftovers of a crashed run: processes still living in our namespace
			for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
			ip netns del "$ns" 2>/dev/null
		fi
	done
	rm -f /etc/netns/ts-cli/resolv.conf /etc/netns/ts-cli/hosts
	rmdir /etc/netns/ts-cli 2>/dev/null
	[ "$MADE_ETC_NETNS" = 1 ] && rmdir /etc/netns 2>/dev/null
	true
}

finish() {
	trap - EXIT INT TERM
	lab_down
	[ -n "$WORK" ] && [ -z "${LAB_KEEP:-}" ] && rm -rf "$WORK"
}

bg() { # run a command in the background, remember its PID
	"$@" &
	BG_PIDS="$BG_PIDS $!"
}

sysctls() { # ns key=value...
	local ns=$1; shift
	for kv in "$@"; do ip netns exec "$ns" sysctl -qw "$kv" >/dev/null || log "sysctl $kv failed in $ns"; done
}

lab_up() { # build namespaces, links, addresses, routes, servers
	lab_down
	ip netns add ts-cli && ip netns add ts-gw && ip netns add ts-srv || { log "netns add failed"; exit 2; }
	local ns
	for ns in ts-cli ts-gw ts-srv; do
		ip -n $ns link set lo up
		sysctls $ns net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	done
	sysctls ts-srv net.ipv4.ip_default_ttl=50 net.ipv6.conf.all.hop_limit=50 net.ipv6.conf.default.hop_limit=50
	sysctls ts-gw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
	ip -n ts-gw link add gc address $GWMAC type veth peer name c0 address $CLIMAC netns ts-cli
	ip -n ts-gw link add gs address $GWSMAC type veth peer name s0 address $SRVMAC netns ts-srv
	sysctls ts-srv net.ipv6.conf.s0.hop_limit=50
	# no offloads: the capture shows wire-sized segments
	for x in "ts-gw gc" "ts-gw gs" "ts-cli c0" "ts-srv s0"; do
		set -- $x
		ip netns exec $1 ethtool -K $2 tx off rx off tso off gso off gro off >/dev/null 2>&1 || log "ethtool -K $2 failed (checksums in captures may be partial)"
	done
	ip -n ts-cli addr add 198.18.0.2/24 dev c0
	ip -n ts-cli addr add 2001:db8:0::2/64 dev c0 nodad
	ip -n ts-gw addr add 198.18.0.1/24 dev gc
	ip -n ts-gw addr add 2001:db8:0::1/64 dev gc nodad
	ip -n ts-gw addr add 198.18.1.1/24 dev gs
	ip -n ts-gw addr add 2001:db8:1::1/64 dev gs nodad
	ip -n ts-srv addr add 198.18.1.2/24 dev s0
	ip -n ts-srv addr add 2001:db8:1::2/64 dev s0 nodad
	local n h
	for n in "${!HOSTNUM[@]}"; do
		h=${HOSTNUM[$n]}
		ip -n ts-srv addr add 198.18.1.$h/32 dev s0
		ip -n ts-srv addr add 2001:db8:1::$h/128 dev s0 nodad
	done
	for h in 53 54; do
		ip -n ts-srv addr add 198.18.1.$h/32 dev s0
		ip -n ts-srv addr add 2001:db8:1::$h/128 dev s0 nodad
	done
	ip -n ts-srv addr add $BLOCK4/32 dev s0
	ip -n ts-srv addr add $BLOCK4B/32 dev s0
	ip -n ts-srv addr add 198.18.3.80/32 dev s0
	for ns in ts-cli ts-gw ts-srv; do ip -n $ns link set dev $( [ $ns = ts-cli ] && echo c0 || { [ $ns = ts-srv ] && echo s0 || echo gc; }) up; done
	ip -n ts-gw link set gs up
	ip -n ts-cli route add default via 198.18.0.1
	ip -n ts-cli -6 route add default via 2001:db8:0::1
	ip -n ts-srv route add default via 198.18.1.1
	ip -n ts-srv -6 route add default via 2001:db8:1::1
	ip -n ts-gw route add 198.18.3.0/24 via 198.18.1.2
	# static neighbours: no ARP/ND chatter in the captures
	ip -n ts-cli neigh replace 198.18.0.1 lladdr $GWMAC dev c0 nud permanent
	ip -n ts-cli neigh replace 2001:db8:0::1 lladdr $GWMAC dev c0 nud permanent
	ip -n ts-gw neigh replace 198.18.0.2 lladdr $CLIMAC dev gc nud permanent
	ip -n ts-gw neigh replace 2001:db8:0::2 lladdr $CLIMAC dev gc nud permanent
	ip -n ts-srv neigh replace 198.18.1.1 lladdr $GWSMAC dev s0 nud permanent
	ip -n ts-srv neigh replace 2001:db8:1::1 lladdr $GWSMAC dev s0 nud permanent
	for h in 2 53 54 "${HOSTNUM[@]}"; do
		ip -n ts-gw neigh replace 198.18.1.$h lladdr $SRVMAC dev gs nud permanent
		ip -n ts-gw neigh replace 2001:db8:1::$h lladdr $SRVMAC dev gs nud permanent
	done
	# resolver for the client
	[ -d /etc/netns ] || MADE_ETC_NETNS=1
	mkdir -p /etc/netns/ts-cli
	printf 'nameserver %s\noptions timeout:2 attempts:1\n' "${RESOLVER:-$RES4}" > /etc/netns/ts-cli/resolv.conf
	: > /etc/netns/ts-cli/hosts
}

start_servers() { # [name=delay_ms ...]: HTTP(80)/HTTPS(443) on every name
	local -A dl=()
	local kv n specs=""
	for kv in "$@"; do dl[${kv%%=*}]=${kv#*=}; done
	for n in "${!HOSTNUM[@]}"; do
		for a in "$(v4 $n)" "$(v6 $n)"; do
			specs="$specs https@$a@443@${dl[$n]:-0} http@$a@80@${dl[$n]:-0}"
		done
	done
	# example.com:80 aborts with a genuine RST after some data
	# PACE="name...": those servers pace every answer themselves (slow, no loss)
	for n in ${PACE:-}; do
		for a in "$(v4 $n)" "$(v6 $n)"; do
			specs=${specs//https@$a@443@/paces@$a@443@}
			specs=${specs//http@$a@80@/pace@$a@80@}
		done
	done
	specs=${specs//http@$(v4 example.com)@80@0/abort@$(v4 example.com)@80@0}
	specs=${specs//http@$(v6 example.com)@80@0/abort@$(v6 example.com)@80@0}
	specs="$specs block@$BLOCK4@80 block@$BLOCK4B@80 block@198.18.3.80@80"
	bg $S $PY "$LAB/labsrv.py" "$WORK/cert.pem" "$WORK/key.pem" $specs > "$WORK/labsrv.log" 2>&1
	local addr_args="" i
	for n in "${!HOSTNUM[@]}"; do
		addr_args="$addr_args --address=/$n/$(v4 $n) --address=/$n/$(v6 $n)"
	done
	DNSMASQ_ARGS=$addr_args
	for i in 53 54; do start_dnsmasq $i; done
	for i in $(seq 50); do
		grep -q ready "$WORK/labsrv.log" 2>/dev/null && break
		sleep 0.1
	done
	wait_dnsmasq
	sleep 0.2
}

start_dnsmasq() { # 53|54
	local i=$1
		bg $S dnsmasq --keep-in-foreground --conf-file="$WORK/empty.conf" --no-resolv --no-hosts \
			--bind-interfaces --listen-address=198.18.1.$i --listen-address=2001:db8:1::$i \
			--except-interface=lo --user=root --group=root --pid-file= --no-dhcp-interface=s0 \
			--local-ttl=300 --local=/test/ --log-facility=- $DNSMASQ_ARGS \
			$( [ $i = 54 ] && echo "${DNSMASQ_EXTRA54:-}") >> "$WORK/dnsmasq$i.log" 2>&1
}

wait_dnsmasq() { # both resolvers listening on v4 and v6, else restart them
	local try i n
	for try in 1 2 3; do
		for i in $(seq 30); do
			n=$($S ss -Hlun 'sport = :53' 2>/dev/null | wc -l)
			[ "$n" -ge 4 ] && return 0
			sleep 0.1
		done
		log "dnsmasq not listening ($n sockets), restarting: $(tail -n 2 "$WORK"/dnsmasq5*.log | tr '\n' ' ')"
		for i in 53 54; do
			$S ss -Hlun "sport = :53" | grep -q "198.18.1.$i:53" || start_dnsmasq $i
		done
	done
	log "dnsmasq did not come up"
}

SCEN=""
begin() { # scenario-name [server delays...]
	SCEN=$1; shift
	log "=== $SCEN"
	T0=$(date +%s.%N)
	lab_up
	SW="$WORK/$SCEN"; mkdir -p "$SW"
	: > "$SW/clients.jsonl"; : > "$SW/censor.jsonl"; : > "$SW/notes.txt"
	start_servers "$@"
	local f="not arp and not (ip6 and (ip6[6] == 0 or (ip6[6] == 58 and ip6[40] >= 133 and ip6[40] <= 137)))"
	$G tcpdump -i gc -s 0 -U --immediate-mode -Z root -w "$SW/cli.pcap" "$f" > "$SW/tcpdump-gc.log" 2>&1 &
	CAP1=$!
	$G tcpdump -i gs -s 0 -U --immediate-mode -Z root -w "$SW/srv.pcap" "$f" > "$SW/tcpdump-gs.log" 2>&1 &
	CAP2=$!
	BG_PIDS="$BG_PIDS $CAP1 $CAP2"
	for i in $(seq 50); do
		grep -q listening "$SW/tcpdump-gc.log" && grep -q listening "$SW/tcpdump-gs.log" && break
		sleep 0.1
	done
	sleep 0.2
}

censor() { # censor.py options...
	rm -f "$SW/censor.ready"
	bg $G $PY "$LAB/censor.py" --log "$SW/censor.jsonl" --ready "$SW/censor.ready" "$@" 2>> "$SW/censor.err"
	CENSOR_PID=$!
	for i in $(seq 100); do [ -e "$SW/censor.ready" ] && break; sleep 0.1; done
	[ -e "$SW/censor.ready" ] || log "censor did not start: $(tail -3 "$SW/censor.err")"
}

rule() { # iptables|ip6tables args... (always inside ts-gw), remembered for the log
	echo "$*" >> "$SW/rules.txt"
	$G "$@" || log "rule failed: $*"
}

note() { echo "$*" >> "$SW/notes.txt"; }

# curl_do NAME SPORT URL VIA [curl options...]: one connection from SPORT.
# VIA: resolve (curl --resolve, no DNS on the wire), dns (system resolver),
# literal (URL holds an IP literal; the destination key is then that IP)
curl_do() {
	local name=$1 sport=$2 url=$3 via=$4; shift 4
	local fam=-4 ip
	case "$*" in *-6*) fam=-6 ;; esac
	local args=(--silent --show-error -k --local-port "$sport" --connect-timeout 4 --max-time 6 -o /dev/null
		-w '%{remote_ip} %{http_code}' "$@")
	local port=443; case "$url" in http://*) port=80 ;; esac
	local p; p=$(echo "$url" | sed -n 's,^[a-z]*://[^/]*:\([0-9][0-9]*\).*,\1,p'); [ -n "$p" ] && port=$p
	if [ "$via" = resolve ]; then
		if [ $fam = -6 ]; then ip="[$(v6 "$name")]"; else ip=$(v4 "$name"); fi
		args+=(--resolve "$name:$port:$ip")
	fi
	local out rc
	out=$($C curl "${args[@]}" "$url" 2>&1); rc=$?
	$PY -c 'import json,sys; print(json.dumps({"tool":"curl","name":sys.argv[1],"sport":int(sys.argv[2]),"url":sys.argv[3],"via":sys.argv[4],"rc":int(sys.argv[5]),"out":sys.argv[6]}))' \
		"$name" "$sport" "$url" "$via" "$rc" "$out" >> "$SW/clients.jsonl"
}

labcli() { $C $PY "$LAB/labcli.py" "$@" >> "$SW/clients.jsonl" 2>> "$SW/labcli.err"; }

end() { # expected-json [truth.py options...] (intent, checked against the diff)
	local expect=$1; shift
	sleep 1
	{
		echo "# iptables -v -x -n -L FORWARD"; $G $IPT -v -x -n -L FORWARD
		echo "# ip6tables -v -x -n -L FORWARD"; $G $IP6T -v -x -n -L FORWARD
	} > "$SW/counters.txt" 2>&1
	{ $G $IPT -S FORWARD; $G $IP6T -S FORWARD; } > "$SW/rules_S.txt" 2>&1
	[ -n "${SLOWLINK:-}" ] && $G tc -s qdisc show dev gc > "$SW/qdisc.txt" 2>&1
	sleep 0.5
	kill -INT $CAP1 $CAP2 2>/dev/null; wait $CAP1 $CAP2 2>/dev/null
	kill_pids
	cp "$SW/cli.pcap" "$OUT/$SCEN.pcap"
	$PY "$LAB/truth.py" --scenario "$SCEN" --dir "$SW" --out "$OUT" --expect "$expect" \
		--elapsed 0 "$@" || FAILED="$FAILED $SCEN"
	lab_down
	PACE="" SLOWLINK="" DNSMASQ_EXTRA54=""
}

wait_clients() { wait $CLIENT_PIDS 2>/dev/null; CLIENT_PIDS=""; }
CLIENT_PIDS=""
client_bg() { "$@" & CLIENT_PIDS="$CLIENT_PIDS $!"; }

# ---------------------------------------------------------------- scenarios
# Expectations (second argument of `end`): {destination: "sig/stage/count"},
# written from the scenario's intent; truth.py derives the actual truth from
# the censor's own records and warns when they disagree.

sc_rst_inpath() { # v4|v6 : iptables REJECT --reject-with tcp-reset on SNI/Host
	local f=$1 T=$IPT o=-4; [ $f = v6 ] && { T=$IP6T; o=-6; }
	begin rst_inpath_$f
	rule $T -A FORWARD -p tcp -m string --string twitter.com --algo bm -j REJECT --reject-with tcp-reset
	rule $T -A FORWARD -p tcp -m string --string youtube.com --algo bm -j REJECT --reject-with tcp-reset
	local i
	for i in 1 2 3 4; do
		curl_do twitter.com $((41000 + i)) https://twitter.com/ resolve $o
		[ $i -le 3 ] && curl_do youtube.com $((42000 + i)) http://youtube.com/ resolve $o
		[ $i -le 2 ] && curl_do example.org $((43000 + i)) https://example.org/ resolve $o
		[ $i -le 2 ] && curl_do wikipedia.org $((44000 + i)) http://wikipedia.org/ resolve $o
	done
	end '{"twitter.com":"rst_injection/post_psh/4","youtube.com":"rst_injection/post_psh/3","example.org":"clean","wikipedia.org":"clean"}'
}

sc_rst_onpath() { # v4|v6 : scapy GFW-like RST burst on SNI/Host, server answers late
	local f=$1 o=-4; [ $f = v6 ] && o=-6
	begin rst_onpath_$f twitter.com=300 youtube.com=300
	censor --rst-psh twitter.com --rst-psh youtube.com
	local i
	for i in 1 2 3 4; do
		curl_do twitter.com $((41000 + i)) https://twitter.com/ resolve $o
		[ $i -le 3 ] && curl_do youtube.com $((42000 + i)) http://youtube.com/ resolve $o
		[ $i -le 2 ] && curl_do example.org $((43000 + i)) https://example.org/ resolve $o
		[ $i -le 2 ] && curl_do wikipedia.org $((44000 + i)) http://wikipedia.org/ resolve $o
	done
	sleep 0.5
	end '{"twitter.com":"rst_injection/post_psh/4","youtube.com":"rst_injection/post_psh/3","example.org":"clean","wikipedia.org":"clean"}'
}

sc_rst_onpath_ack_v4() { # RSTs right after the SYN-ACK; the client is slow to speak
	begin rst_onpath_ack_v4
	censor --rst-ack "$(v4 youtube.com)"
	local i
	for i in 1 2 3 4; do
		labcli tcp youtube.com 80 $((41000 + i)) 0.5 -4
		[ $i -le 2 ] && labcli tcp example.org 80 $((43000 + i)) 0.5 -4
	done
	end '{"youtube.com":"rst_injection/post_ack/4","example.org":"clean"}'
}

sc_rst_onpath_syn_v4() { # RST+ACK answering the SYN; genuine SYN-ACK 150 ms later
	begin rst_onpath_syn_v4
	local ip; ip=$(v4 t.me)
	rule $IPT -A FORWARD -i gs -s "$ip" -p tcp --tcp-flags SYN SYN -j DROP
	censor --rst-syn "$ip" --delay "src host $ip and tcp[tcpflags] & tcp-syn != 0=150"
	local i
	for i in 1 2 3 4; do
		curl_do t.me $((41000 + i)) https://t.me/ dns -4
		[ $i -le 2 ] && curl_do example.org $((43000 + i)) https://example.org/ dns -4
	done
	sleep 1
	end '{"t.me":"rst_injection/post_syn/4","example.org":"clean"}'
}

sc_syn_drop_v4() {
	begin syn_drop_v4
	rule $IPT -A FORWARD -p tcp --syn -d "$(v4 instagram.com)" -j DROP
	local i
	for i in 1 2 3 4; do client_bg curl_do instagram.com $((41000 + i)) https://instagram.com/ dns -4; sleep 0.2; done
	for i in 1 2; do curl_do example.org $((43000 + i)) https://example.org/ dns -4; done
	curl_do wikipedia.org 44001 http://wikipedia.org/ dns -4
	wait_clients
	end '{"instagram.com":"syn_drop/post_syn/4","example.org":"clean","wikipedia.org":"clean"}'
}

sc_syn_drop_v6() { # literal IPv6 address: no name on the wire, the key is the IP
	begin syn_drop_v6
	local ip; ip=$(v6 instagram.com)
	rule $IP6T -A FORWARD -p tcp --syn -d "$ip" -j DROP
	local i
	for i in 1 2 3 4; do client_bg curl_do "$ip" $((41000 + i)) "https://[$ip]/" literal -6; sleep 0.2; done
	for i in 1 2; do curl_do example.org $((43000 + i)) https://example.org/ resolve -6; done
	wait_clients
	end '{"'"$ip"'":"syn_drop/post_syn/4","example.org":"clean"}'
}

sc_data_drop() { # v4|v6: handshake passes, the ClientHello / request is dropped
	local f=$1 T=$IPT o=-4; [ $f = v6 ] && { T=$IP6T; o=-6; }
	begin data_drop_$f
	rule $T -A FORWARD -p tcp -m string --string instagram.com --algo bm -j DROP
	rule $T -A FORWARD -p tcp -m string --string youtube.com --algo bm -j DROP
	local i
	for i in 1 2 3; do client_bg curl_do instagram.com $((41000 + i)) https://instagram.com/ resolve $o; sleep 0.2; done
	for i in 1 2; do client_bg curl_do youtube.com $((42000 + i)) http://youtube.com/ resolve $o; sleep 0.2; done
	for i in 1 2; do curl_do example.org $((43000 + i)) https://example.org/ resolve $o; done
	curl_do wikipedia.org 44001 http://wikipedia.org/ resolve $o
	wait_clients
	end '{"instagram.com":"data_drop/post_psh/3","youtube.com":"data_drop/post_psh/2","example.org":"clean","wikipedia.org":"clean"}'
}

sc_benign() { # v4|v6: FIN closes, refused port, genuine server RST, one lost SYN
	local f=$1 T=$IPT o=-4 via=dns; [ $f = v6 ] && { T=$IP6T; o=-6; }
	[ $f = v6 ] && via=resolve
	begin benign_$f
	local i dip
	for i in 1 2 3; do
		curl_do example.org $((43000 + i)) https://example.org/ $via $o
		curl_do wikipedia.org $((44000 + i)) http://wikipedia.org/ $via $o
	done
	# closed port: the server's kernel answers the SYN with RST+ACK
	for i in 1 2; do curl_do example.net $((45000 + i)) https://example.net:8443/ $via $o; done
	# server aborts after sending data (SO_LINGER 0): a genuine RST
	for i in 1 2; do curl_do example.com $((46000 + i)) http://example.com/ $via $o; done
	# first SYNs lost, then answered
	if [ $f = v6 ]; then dip=$(v6 debian.org); else dip=$(v4 debian.org); fi
	rule $T -I FORWARD -p tcp --syn -d "$dip" -j DROP
	client_bg curl_do debian.org 47001 https://debian.org/ $via $o --connect-timeout 6
	sleep 1.5
	rule $T -D FORWARD -p tcp --syn -d "$dip" -j DROP
	wait_clients
	local k=example.net; [ $f = v6 ] && k=$(v6 example.net)
	end '{"example.org":"clean","wikipedia.org":"clean","'"$k"'":"clean","example.com":"clean","debian.org":"clean"}'
}

sc_demo() { # a bit of everything, names through the resolver (far away: 40 ms)
	RESOLVER=$RES4
	begin demo twitter.com=300
	rule $IPT -A FORWARD -i gs -s $RES4 -p udp --sport 53 -j DROP
	rule $IPT -A FORWARD -p tcp --syn -d "$(v4 instagram.com)" -j DROP
	censor --rst-psh twitter.com --dns-inject www.facebook.com=$BLOCK4 \
		--delay "src host $RES4 and udp src port 53=40"
	local i
	for i in 1 2; do client_bg curl_do instagram.com $((45000 + i)) https://instagram.com/ dns -4; sleep 0.3; done
	for i in 1 2 3; do
		curl_do example.org $((43000 + i)) https://example.org/ dns -4
		curl_do twitter.com $((41000 + i)) https://twitter.com/ dns -4
		[ $i -le 2 ] && curl_do www.facebook.com $((42000 + i)) http://www.facebook.com/ dns -4
	done
	wait_clients
	end '{"twitter.com":"rst_injection/post_psh/3","www.facebook.com":"dns_injection/-/2","instagram.com":"syn_drop/post_syn/2","example.org":"clean"}'
}

sc_dns_onpath() { # v4|v6 transport: forged A answers race the (40 ms away) resolver
	local f=$1 r=$RES4 rf="iptables"; [ $f = v6 ] && { r=$RES6; rf=ip6tables; }
	RESOLVER=$r
	begin dns_onpath_$f
	rule $rf -A FORWARD -i gs -s $r -p udp --sport 53 -j DROP
	local bpf="src host $r and udp src port 53"
	censor --dns-inject www.facebook.com=$BLOCK4 --dns-inject twitter.com=$BLOCK4B --delay "$bpf=40"
	local i
	for i in 1 2 3; do labcli dns $r www.facebook.com A $((50000 + i)) --id $((1000 + i)); done
	for i in 1 2; do labcli dns $r twitter.com AAAA $((51000 + i)) --id $((2000 + i)); done
	for i in 1 2; do labcli dns $r example.org A $((52000 + i)) --id $((3000 + i)); done
	labcli dns $r wikipedia.org AAAA 53001 --id 4001
	# the client then uses the name: curl through the system resolver
	if [ $f = v4 ]; then
		for i in 1 2; do curl_do www.facebook.com $((42000 + i)) http://www.facebook.com/ dns -4; done
	fi
	sleep 0.5
	end '{"www.facebook.com":"dns_injection/-/3+","twitter.com":"dns_injection/-/2","example.org":"clean","wikipedia.org":"clean"}'
}

sc_dns_inpath_v4() { # the query is dropped, the censor answers NXDOMAIN itself
	RESOLVER=$RES4
	begin dns_inpath_v4
	rule $IPT -A FORWARD -p udp --dport 53 -m string --hex-string '|08|facebook|03|com|00|' --algo bm -j DROP
	rule $IPT -A FORWARD -p udp --dport 53 -m string --hex-string '|09|instagram|03|com|00|' --algo bm -j DROP
	censor --dns-nx www.facebook.com --dns-nx instagram.com
	local i
	for i in 1 2 3; do labcli dns $RES4 www.facebook.com A $((50000 + i)) --id $((1000 + i)); done
	for i in 1 2; do labcli dns $RES4 instagram.com A $((51000 + i)) --id $((2000 + i)); done
	for i in 1 2; do labcli dns $RES4 example.org A $((52000 + i)) --id $((3000 + i)); done
	labcli dns $RES4 no-such-host.test A 53001 --id 4001
	# most traffic is benign: genuine answers outnumber forged ones
	for n in wikipedia.org example.net debian.org t.me wikipedia.org example.net; do
		labcli dns $RES4 $n A $((54000 + ${#n} * 10 + RANDOM % 10)) --wait 0.5
	done
	curl_do instagram.com 41001 https://instagram.com/ dns -4
	end '{"www.facebook.com":"dns_injection/-/3","instagram.com":"dns_injection/-/3","example.org":"clean","no-such-host.test":"clean","wikipedia.org":"clean","example.net":"clean","debian.org":"clean","t.me":"clean"}'
}

sc_dns_benign() { # v4|v6: genuine NXDOMAIN, retransmitted query, two resolvers
	local f=$1 r=$RES4 r2=$RES4B; [ $f = v6 ] && { r=$RES6; r2=$RES6B; }
	RESOLVER=$r
	begin dns_benign_$f
	local i
	for i in 1 2; do labcli dns $r no-such-host.test A $((50000 + i)) --id $((1000 + i)); done
	for i in 1 2; do labcli dns $r example.org A $((51000 + i)) --id $((2000 + i)) --dup; done
	for i in 1 2; do
		labcli dns $r wikipedia.org A $((52000 + i)) --id $((3000 + i))
		labcli dns $r2 wikipedia.org A $((52000 + i)) --id $((3000 + i))
	done
	labcli dns $r twitter.com AAAA 53001 --id 4001
	end '{"no-such-host.test":"clean","example.org":"clean","wikipedia.org":"clean","twitter.com":"clean"}'
}

sc_quic_drop_v4() { # QUIC Initials to 443/udp carrying SNI: dropped by destination
	begin quic_drop_v4
	rule $IPT -A FORWARD -p udp --dport 443 -d "$(v4 youtube.com)" -j DROP
	local i
	for i in 1 2 3; do client_bg labcli quic "$(v4 youtube.com)" youtube.com $((41000 + i)) --tries 4; sleep 0.2; done
	for i in 1 2; do curl_do example.org $((43000 + i)) https://example.org/ resolve -4; done
	wait_clients
	# a capture ends at its last packet: keep traffic going past the SYN
	# timeout (3 s) after the last Initial so every attempt can be judged
	sleep 3.5
	curl_do example.org 43003 https://example.org/ resolve -4
	end '{"youtube.com":"quic_drop/post_syn/3","example.org":"clean"}'
}

sc_http_inject_v4() { # 307 redirect (IP-ID 0x3412) ahead of the real answer
	begin http_inject_v4 www.bbc.com=300
	censor --http307 "Host: www.bbc.com"
	local i
	for i in 1 2 3; do curl_do www.bbc.com $((41000 + i)) http://www.bbc.com/ resolve -4; done
	for i in 1 2; do curl_do example.org $((43000 + i)) http://example.org/ resolve -4; done
	sleep 0.5
	end '{"www.bbc.com":"http_injection/post_psh/3","example.org":"clean"}'
}

sc_icmp_prohibited() { # REJECT --reject-with icmp-admin-prohibited on SYNs
	local f=$1 T=$IPT o=-4 code=icmp-admin-prohibited ip; [ $f = v6 ] && { T=$IP6T; o=-6; code=adm-prohibited; }
	if [ $f = v6 ]; then ip=$(v6 www.bbc.com); else ip=$(v4 www.bbc.com); fi
	begin icmp_prohibited_$f
	rule $T -A FORWARD -p tcp --syn -d "$ip" -j REJECT --reject-with $code
	local i
	for i in 1 2 3; do curl_do "$ip" $((41000 + i)) "https://$( [ $f = v6 ] && echo "[$ip]" || echo "$ip")/" literal $o; done
	for i in 1 2; do curl_do example.org $((43000 + i)) https://example.org/ resolve $o; done
	end '{"'"$ip"'":"icmp_prohibited/post_syn/3","example.org":"clean"}'
}

# ---- issue #15: throttling (det_throttle.c), and its benign look-alikes
THR_BPS=130000        # the policer's cap, bits/s (TSPU on twimg.com: ~130 kbit/s per flow)

sc_throttle() { # v4|v6 police|pace|slowlink
	local f=$1 mode=$2 T=$IPT o=-4 scen; [ $f = v6 ] && { T=$IP6T; o=-6; }
	scen=throttle_$f; [ $mode != police ] && scen=throttle_${mode}_$f
	local big=600000 i
	case $mode in
	pace) PACE="twitter.com example.org wikipedia.org"; big=40000 ;;
	slowlink) big=200000 ;;
	esac
	begin $scen
	case $mode in
	police) # mark flows whose SNI / Host names twitter.com, police their server->client packets
		rule $T -A FORWARD -i gc -p tcp -m string --string twitter.com --algo bm -j CONNMARK --set-mark 0x15
		rule $T -A FORWARD -i gs -p tcp -m connmark --mark 0x15 -m hashlimit \
			--hashlimit-above $((THR_BPS / 8))b/s --hashlimit-burst 16kb \
			--hashlimit-mode srcip,dstip,srcport,dstport --hashlimit-name thr_$f -j DROP ;;
	pace) note "servers of $PACE pace every answer: 2048 B every 0.1 s (164 kbit/s), no loss" ;;
	slowlink) # the client's access link is slow for every destination
		SLOWLINK=1
		$G tc qdisc add dev gc root tbf rate 1mbit burst 8kb latency 50ms || log "tbf failed"
		echo "ts-gw: tc qdisc add dev gc root tbf rate 1mbit burst 8kb latency 50ms" >> "$SW/rules.txt"
		note "slow access link for every destination: tbf 1 mbit/s on the gateway's client side" ;;
	esac
	# 3 long downloads from twitter.com (2 HTTPS, 1 HTTP); the client gives up at 12 s
	for i in 1 2; do client_bg curl_do twitter.com $((41000 + i)) https://twitter.com/big/8000000 resolve $o --max-time 12; sleep 0.2; done
	client_bg curl_do twitter.com 41003 http://twitter.com/big/8000000 resolve $o --max-time 12
	sleep 1
	# meanwhile, other names at full speed
	for i in 1 2 3; do
		curl_do example.org $((43000 + i)) https://example.org/big/$big resolve $o --max-time 12
		curl_do wikipedia.org $((44000 + i)) http://wikipedia.org/big/$big resolve $o --max-time 12
		sleep 2.5
	done
	wait_clients
	if [ $mode = police ]; then
		end '{"twitter.com":"throttling/post_psh/3","example.org":"clean","wikipedia.org":"clean"}' \
			--throttle twitter.com=$THR_BPS --goodput --trunc 128
	else
		end '{"twitter.com":"clean","example.org":"clean","wikipedia.org":"clean"}' --goodput --trunc 128
	fi
}

# ---- issue #14 patterns
sc_blackhole() { # v4|v6: request and FIN never acknowledged, the client gives up without retransmitting
	local f=$1 T=$IPT o=-4; [ $f = v6 ] && { T=$IP6T; o=-6; }
	begin blackhole_$f
	# a client that gives up (1.5 s) before its kernel's first retransmission
	sysctls ts-cli net.ipv4.tcp_early_retrans=0   # no tail loss probe either
	$C ip route change default via 198.18.0.1 dev c0 rto_min 3s || log "rto_min failed"
	$C ip -6 route change default via 2001:db8::1 dev c0 rto_min 3s || log "rto_min (v6) failed"
	echo "ts-cli: ip route change default ... rto_min 3s (v4 and v6); sysctl net.ipv4.tcp_early_retrans=0" >> "$SW/rules.txt"
	rule $T -A FORWARD -i gc -p tcp -m string --string "Host: instagram.com" --algo bm -j CONNMARK --set-mark 0x14
	rule $T -A FORWARD -i gc -p tcp -m connmark --mark 0x14 -j DROP
	local i
	for i in 1 2 3; do
		labcli hang instagram.com 80 $((41000 + i)) $o
		[ $i -le 2 ] && labcli hang example.org 80 $((43000 + i)) $o
		[ $i -le 2 ] && labcli hang wikipedia.org 80 $((44000 + i)) $o
	done
	end '{"instagram.com":"data_drop/post_psh/3","example.org":"clean","wikipedia.org":"clean"}'
}

sc_dns_nxthin_v4() { # forged NXDOMAIN (no SOA, TTL 64) for 7 of 11 queries to a resolver
	RESOLVER=$RES4B
	# resolver .54 answers these names authoritatively, its NXDOMAINs carry an SOA
	DNSMASQ_EXTRA54="--auth-server=ns.lab.test,$RES4B --auth-zone=test --auth-zone=org
--auth-soa=2026120201,hostmaster.lab.test --host-record=example.org,$(v4 example.org)
--host-record=wikipedia.org,$(v4 wikipedia.org)"
	begin dns_nxthin_v4
	local n
	for n in '|08|facebook|03|com|00|' '|09|instagram|03|com|00|' '|07|twitter|03|com|00|'; do
		rule $IPT -A FORWARD -p udp -d $RES4B --dport 53 -m string --hex-string "$n" --algo bm -j DROP
	done
	censor --dns-nx www.facebook.com --dns-nx instagram.com --dns-nx twitter.com
	local r=$RES4B
	labcli dns $r www.facebook.com A 50001 --id 1001
	labcli dns $r example.org A 52001 --id 3001
	labcli dns $r instagram.com A 51001 --id 2001
	labcli dns $r missing.test A 53001 --id 4001
	labcli dns $r twitter.com A 54001 --id 5001
	labcli dns $r www.facebook.com A 50002 --id 1002
	labcli dns $r wikipedia.org A 52002 --id 3002
	labcli dns $r instagram.com A 51002 --id 2002
	labcli dns $r twitter.com A 54002 --id 5002
	labcli dns $r nothing.test AAAA 53002 --id 4002
	labcli dns $r www.facebook.com A 50003 --id 1003
	end '{"www.facebook.com":"dns_injection/-/3","instagram.com":"dns_injection/-/2","twitter.com":"dns_injection/-/2","example.org":"clean","wikipedia.org":"clean","missing.test":"clean","nothing.test":"clean"}'
}

sc_blockpage() { # v4|v6: raw HTML in a FIN+ACK, no status line; the request never reaches the server
	local f=$1 T=$IPT o=-4; [ $f = v6 ] && { T=$IP6T; o=-6; }
	begin blockpage_$f
	rule $T -A FORWARD -i gc -p tcp -m string --string "Host: www.bbc.com" --algo bm -j CONNMARK --set-mark 0x16
	rule $T -A FORWARD -i gc -p tcp -m connmark --mark 0x16 -j DROP
	# the client's ACK of the forged page acks bytes conntrack never saw
	# (INVALID, no mark): a stateful firewall drops those too
	rule $T -A FORWARD -i gc -p tcp -m conntrack --ctstate INVALID -j DROP
	censor --blockpage "Host: www.bbc.com"
	local i
	for i in 1 2 3; do
		curl_do www.bbc.com $((41000 + i)) http://www.bbc.com/ resolve $o
		[ $i -le 2 ] && curl_do example.org $((43000 + i)) http://example.org/ resolve $o
	done
	end '{"www.bbc.com":"http_injection/post_psh/3","example.org":"clean"}'
}

sc_qi_v4() { # Quantum-Insert race on TLS (raw probe) and HTTP (curl); capture duplicates and a retransmission as controls
	begin qi_v4 twitter.com=300 youtube.com=300
	censor --qi twitter.com --qi "Host: youtube.com"
	# benign: the client's own firewall loses every other copy of wikipedia.org's
	# answer, so the server retransmits the same bytes at the same seq
	local wrule="-A INPUT -p tcp -s $(v4 wikipedia.org) --sport 80 -m length --length 100:65535 -m statistic --mode nth --every 2 --packet 0 -j DROP"
	$C $IPT $wrule || log "client rule failed"
	echo "ts-cli: $IPT $wrule" >> "$SW/rules.txt"
	note "stored pcap: every example.org packet appears twice (capture duplicates, same bytes, +10 us)"
	local i
	for i in 1 2 3; do
		labcli tlsraw "$(v4 twitter.com)" twitter.com $((41000 + i))
		curl_do youtube.com $((42000 + i)) http://youtube.com/ resolve -4
		[ $i -le 2 ] && curl_do example.org $((43000 + i)) http://example.org/ resolve -4
		[ $i -le 2 ] && curl_do wikipedia.org $((44000 + i)) http://wikipedia.org/ resolve -4
	done
	sleep 0.5
	end '{"twitter.com":"tcp_injection/post_psh/3","youtube.com":"http_injection/post_psh/3","example.org":"clean","wikipedia.org":"clean"}' \
		--dup-ip "$(v4 example.org)"
}

run_scenario() {
	case $1 in
	rst_inpath_v4) sc_rst_inpath v4 ;; rst_inpath_v6) sc_rst_inpath v6 ;;
	rst_onpath_v4) sc_rst_onpath v4 ;; rst_onpath_v6) sc_rst_onpath v6 ;;
	rst_onpath_ack_v4) sc_rst_onpath_ack_v4 ;; rst_onpath_syn_v4) sc_rst_onpath_syn_v4 ;;
	syn_drop_v4) sc_syn_drop_v4 ;; syn_drop_v6) sc_syn_drop_v6 ;;
	data_drop_v4) sc_data_drop v4 ;; data_drop_v6) sc_data_drop v6 ;;
	benign_v4) sc_benign v4 ;; benign_v6) sc_benign v6 ;;
	demo) sc_demo ;;
	dns_onpath_v4) sc_dns_onpath v4 ;; dns_onpath_v6) sc_dns_onpath v6 ;;
	dns_inpath_v4) sc_dns_inpath_v4 ;;
	dns_benign_v4) sc_dns_benign v4 ;; dns_benign_v6) sc_dns_benign v6 ;;
	quic_drop_v4) sc_quic_drop_v4 ;; http_inject_v4) sc_http_inject_v4 ;;
	icmp_prohibited_v4) sc_icmp_prohibited v4 ;; icmp_prohibited_v6) sc_icmp_prohibited v6 ;;
	throttle_v4) sc_throttle v4 police ;; throttle_v6) sc_throttle v6 police ;;
	throttle_pace_v4) sc_throttle v4 pace ;; throttle_slowlink_v4) sc_throttle v4 slowlink ;;
	blackhole_v4) sc_blackhole v4 ;; blackhole_v6) sc_blackhole v6 ;;
	dns_nxthin_v4) sc_dns_nxthin_v4 ;;
	blockpage_v4) sc_blockpage v4 ;; blockpage_v6) sc_blockpage v6 ;;
	qi_v4) sc_qi_v4 ;;
	*) log "unknown scenario $1"; FAILED="$FAILED $1" ;;
	esac
	RESOLVER=$RES4
}

main() {
	local cmd=${1:-}; shift || true
	case $cmd in
	list) echo $ALL_SCENARIOS; exit 0 ;;
	clean) [ "$(id -u)" = 0 ] || { echo "lab: needs root" >&2; exit 2; }; lab_down; exit 0 ;;
	record) ;;
	*) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
	[ "$(id -u)" = 0 ] || { echo "lab: needs root" >&2; exit 2; }
	OUT=${1:?usage: lab.sh record OUTDIR [scenario...]}; shift
	mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
	local scen="$*"; [ -z "$scen" ] && scen=$ALL_SCENARIOS
	exec 9> /run/tamperscope-lab.lock
	flock -n 9 || { echo "lab: another lab.sh is running (lock /run/tamperscope-lab.lock)" >&2; exit 2; }
	WORK=$(mktemp -d /tmp/tslab.XXXXXX)
	: > "$WORK/empty.conf"
	trap finish EXIT
	trap 'exit 130' INT TERM
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=lab.test \
		-keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1 || { log "openssl failed"; exit 2; }
	FAILED=""
	RESOLVER=$RES4
	local t0=$SECONDS s
	for s in $scen; do run_scenario "$s"; done
	log "recorded into $OUT in $((SECONDS - t0)) s${FAILED:+; problems:$FAILED}"
	[ -z "$FAILED" ]
}

main "$@"
