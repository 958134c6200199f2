#!/usr/bin/python3
"""Ground truth for one lab scenario.

The gateway captured both of its interfaces: gc (client side, the recording)
and gs (server side).  What the censor did is exactly the difference:
  * a packet toward the client seen on gc but not on gs was made by the
    gateway (iptables REJECT, an injector) -> forged;
  * a packet from the client seen on gc but not on gs was dropped.
(Packets the latency emulation relays are seen on both sides: genuine.)
This never looks at an analyzer; it is cross-checked against the censor's own
log (censor.jsonl, iptables counters) and against the scenario's intent
(--expect), and mismatches are reported as warnings (exit 1).
"""
import argparse, collections, ipaddress, json, os, sys

from scapy.all import (PcapReader, IP, IPv6, TCP, UDP, ICMP, DNS, Raw,
                       ICMPv6DestUnreach, IPerror, IPerror6, TCPerror, UDPerror)

ap = argparse.ArgumentParser()
ap.add_argument("--scenario", required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--expect", default="{}")
ap.add_argument("--elapsed", default="0")
ap.add_argument("--pending", action="append", default=[],
                help="DEST=REASON: no detector yet; check.py reports SKIP, not FAIL")
ap.add_argument("--throttle", action="append", default=[],
                help="NAME=BPS: the censor polices server->client packets of NAME's flows")
ap.add_argument("--goodput", action="store_true", help="measure each connection's goodput")
ap.add_argument("--trunc", type=int, default=0,
                help="stored pcap: cut server data segments to this many bytes (not a "
                     "connection's first 2 data segments)")
ap.add_argument("--dup-ip", action="append", default=[],
                help="stored pcap: capture duplicates of every packet to/from this server IP")
a = ap.parse_args()

CLIENT_NETS = [ipaddress.ip_network("198.18.0.0/24"), ipaddress.ip_network("2001:db8:0::/64")]
GW_ADDRS = {"198.18.0.1", "2001:db8::1"}


def is_client(addr):
    ip = ipaddress.ip_address(addr)
    return any(ip in n for n in CLIENT_NETS) and addr not in GW_ADDRS


def norm(addr):
    return str(ipaddress.ip_address(addr))


def ep(addr, port):
    return ("[%s]:%d" if ":" in addr else "%s:%d") % (addr, port)


def l3(p):
    if IP in p:
        return p[IP], p[IP].ttl
    if IPv6 in p:
        return p[IPv6], p[IPv6].hlim
    return None, None


def key(p):
    ip, _ = l3(p)
    if ip is None:
        return None
    if TCP in p:
        t = p[TCP]
        return ("tcp", ip.src, ip.dst, t.sport, t.dport, t.seq, t.ack, int(t.flags), bytes(t.payload))
    if UDP in p:
        u = p[UDP]
        return ("udp", ip.src, ip.dst, u.sport, u.dport, bytes(u.payload))
    return ("other", ip.src, ip.dst, bytes(ip.payload))


def read(path):
    out = []
    if not os.path.exists(path):
        return out
    with PcapReader(path) as r:
        for p in r:
            out.append(p)
    return out


d = a.dir
cli = read(os.path.join(d, "cli.pcap"))
srv = read(os.path.join(d, "srv.pcap"))
srvkeys = collections.Counter(k for k in map(key, srv) if k)
warnings = []

# annotate client-side packets: passed (also on server side) or not
ann = []
for p in cli:
    k = key(p)
    passed = False
    if k and srvkeys[k] > 0:
        srvkeys[k] -= 1
        passed = True
    ann.append((p, passed))

clients = []
with open(os.path.join(d, "clients.jsonl")) as f:
    for line in f:
        line = line.strip()
        if line:
            try:
                clients.append(json.loads(line))
            except ValueError:
                warnings.append("bad client line: " + line[:80])
by_sport = {}
for c in clients:
    if "sport" in c and c.get("tool") in ("curl", "labcli-tcp", "labcli-quic"):
        by_sport[c["sport"]] = c

censor = []
if os.path.exists(os.path.join(d, "censor.jsonl")):
    with open(os.path.join(d, "censor.jsonl")) as f:
        censor = [json.loads(x) for x in f if x.strip()]

# ------------------------------------------------------------------ TCP
conns = collections.OrderedDict()   # (cip, cport, sip, sport) -> list of (p, passed, dir)
for p, passed in ann:
    if TCP not in p:
        continue
    ip, ttl = l3(p)
    t = p[TCP]
    if is_client(ip.src):
        k, dr = (ip.src, t.sport, ip.dst, t.dport), "c2s"
    elif is_client(ip.dst):
        k, dr = (ip.dst, t.dport, ip.src, t.sport), "s2c"
    else:
        continue
    conns.setdefault(k, []).append((p, passed, dr))

# baseline TTL per server IP from genuine server packets
base_ttl = collections.defaultdict(collections.Counter)
for k, pk in conns.items():
    for p, passed, dr in pk:
        if dr == "s2c" and passed:
            base_ttl[k[2]][l3(p)[1]] += 1

# ICMP made by the gateway toward the client (admin prohibited)
icmp_gw = []
for p, passed in ann:
    ip, ttl = l3(p)
    if ip is None or passed or not is_client(ip.dst):
        continue
    if ICMP in p and p[ICMP].type == 3:
        typ, code = 3, p[ICMP].code
    elif ICMPv6DestUnreach in p:
        typ, code = 1, p[ICMPv6DestUnreach].code
    else:
        continue
    inner_ip = p[IPerror] if IPerror in p else (p[IPerror6] if IPerror6 in p else None)
    l4 = p[TCPerror] if TCPerror in p else (p[UDPerror] if UDPerror in p else None)
    if inner_ip is None or l4 is None:
        continue
    icmp_gw.append((p, ip.src, typ, code, inner_ip.src, l4.sport, l4.dport, float(p.time)))

events = []
per_dest = collections.OrderedDict()   # key -> {"sigs": {type: [stages]}, "evidence": {type: Counter}}


def dest_entry(k):
    return per_dest.setdefault(k, {"sigs": collections.OrderedDict(), "evidence": {}})


def add_sig(dest, sig, stage, evidence):
    e = dest_entry(dest)
    e["sigs"].setdefault(sig, []).append(stage)
    ev = e["evidence"].setdefault(sig, collections.Counter())
    for x in evidence:
        ev[x] += 1


def stage_before(pk, idx):
    """Stage of an event at packet index idx of a connection."""
    acked = False
    seqs = set()
    for p, passed, dr in pk[:idx]:
        if dr != "c2s":
            continue
        t = p[TCP]
        if not (t.flags & 0x02) and (t.flags & 0x10):
            acked = True
        if len(bytes(t.payload)) > 0:
            seqs.add(t.seq)
    if not acked:
        return "post_syn"
    if not seqs:
        return "post_ack"
    return "post_psh" if len(seqs) == 1 else "later"


def tcp_dest(k, pk):
    cip, cport, sip, sport = k
    c = by_sport.get(cport)
    sent_data = any(dr == "c2s" and len(bytes(p[TCP].payload)) > 0 for p, _, dr in pk)
    if c is None:
        return norm(sip)
    via = c.get("via", "dns")
    name = c["name"].lower()
    if via == "literal":
        return norm(name)
    if via == "resolve" and not sent_data:
        return norm(sip)      # no name ever on the wire
    return name


tcp_summary = collections.Counter()
for k, pk in conns.items():
    cip, cport, sip, sport = k
    dest = tcp_dest(k, pk)
    dest_entry(dest)
    syns = [(i, p, passed) for i, (p, passed, dr) in enumerate(pk)
            if dr == "c2s" and (p[TCP].flags & 0x12) == 0x02]
    if not syns:
        continue       # not a connection we saw start
    tcp_summary["connections"] += 1
    forged = [(i, p) for i, (p, passed, dr) in enumerate(pk) if dr == "s2c" and not passed]
    genuine_s2c = [(i, p) for i, (p, passed, dr) in enumerate(pk) if dr == "s2c" and passed]
    srv_ttls = collections.Counter(l3(p)[1] for _, p in genuine_s2c) or base_ttl.get(sip)
    srv_ttl = srv_ttls.most_common(1)[0][0] if srv_ttls else None
    src, dst = ep(cip, cport), ep(sip, sport)
    rsts = [(i, p) for i, p in forged if p[TCP].flags & 0x04]
    datas = [(i, p) for i, p in forged if not (p[TCP].flags & 0x04) and len(bytes(p[TCP].payload)) > 0]
    if rsts:
        i0 = rsts[0][0]
        stage = stage_before(pk, i0)
        ev = []
        if srv_ttl is not None and any(abs(l3(p)[1] - srv_ttl) > 1 for _, p in rsts):
            ev.append("ttl_mismatch")
        if len(rsts) >= 3 or len({(p[TCP].seq, p[TCP].ack) for _, p in rsts}) > 1:
            ev.append("multi_rst")
        if any(i > i0 and not (p[TCP].flags & 0x04) for i, p in genuine_s2c):
            ev.append("seq_race")
        events.append({"signature": "rst_injection", "stage": stage, "destination": dest,
                       "src": src, "dst": dst, "t": float(pk[i0][0].time),
                       "injected": [{"seq": p[TCP].seq, "ack": p[TCP].ack, "ttl": l3(p)[1],
                                     "flags": str(p[TCP].flags),
                                     "ipid": p[IP].id if IP in p else None} for _, p in rsts],
                       "server_ttl": srv_ttl, "evidence": ev})
        add_sig(dest, "rst_injection", stage, ev)
        tcp_summary["rst_injection"] += 1
    if datas:
        i0 = datas[0][0]
        stage = stage_before(pk, i0)
        ev = []
        if srv_ttl is not None and any(abs(l3(p)[1] - srv_ttl) > 1 for _, p in datas):
            ev.append("ttl_mismatch")
        gen_data = [p for i, p in genuine_s2c if len(bytes(p[TCP].payload)) > 0]
        fseq = datas[0][1][TCP].seq
        if any(p[TCP].seq == fseq and bytes(p[TCP].payload) != bytes(datas[0][1][TCP].payload)
               for p in gen_data):
            ev.append("overlap_conflict")
        if any(IP in p and p[IP].id == 0x3412 for _, p in datas):
            ev.append("fingerprint")
        fpl = bytes(datas[0][1][TCP].payload)
        http_stream = sport == 80 or any(
            bytes(p[TCP].payload)[:4] in (b"GET ", b"POST", b"HEAD")
            for p, _, dr in pk if dr == "c2s")
        if http_stream and not fpl.startswith(b"HTTP/"):
            ev.append("no_status_line")

        def dfbit(p):
            return bool(p[IP].flags & 2) if IP in p else None

        def tos(p):
            return p[IP].tos if IP in p else p[IPv6].tc
        gref = [p for i, p in genuine_s2c] or []
        if gref and IP in gref[0] and any(dfbit(p) != dfbit(gref[0]) for _, p in datas):
            ev.append("df_mismatch")
        if gref and any(tos(p) != tos(gref[0]) for _, p in datas):
            ev.append("tos_mismatch")
        gen_after = [p for i, p in genuine_s2c if i > i0 and len(bytes(p[TCP].payload)) > 0]
        sig = "http_injection" if http_stream else "tcp_injection"
        events.append({"signature": sig, "stage": stage, "destination": dest,
                       "src": src, "dst": dst, "t": float(pk[i0][0].time),
                       "injected": [{"seq": p[TCP].seq, "ttl": l3(p)[1], "flags": str(p[TCP].flags),
                                     "len": len(bytes(p[TCP].payload)),
                                     "df": dfbit(p), "tos": tos(p),
                                     "head": bytes(p[TCP].payload)[:24].decode("latin-1"),
                                     "ipid": p[IP].id if IP in p else None} for _, p in datas],
                       "server_ttl": srv_ttl,
                       "server_df": dfbit(gref[0]) if gref else None,
                       "server_tos": tos(gref[0]) if gref else None,
                       "genuine_data_after": len(gen_after),
                       "evidence": ev})
        add_sig(dest, sig, stage, ev)
        tcp_summary[sig] += 1
    # SYNs: all dropped and nothing came back
    if not any(passed for _, _, passed in syns) and not genuine_s2c and not forged:
        icmps = [x for x in icmp_gw if x[5] == cport and x[4] and norm(x[4]) == norm(cip)]
        if icmps:
            events.append({"signature": "icmp_prohibited", "stage": "post_syn", "destination": dest,
                           "src": src, "dst": dst, "t": float(syns[0][1].time),
                           "syns": len(syns), "icmp": [{"from": x[1], "type": x[2], "code": x[3]}
                                                       for x in icmps]})
            add_sig(dest, "icmp_prohibited", "post_syn", [])
            tcp_summary["icmp_prohibited"] += 1
        else:
            events.append({"signature": "syn_drop", "stage": "post_syn", "destination": dest,
                           "src": src, "dst": dst, "t": float(syns[0][1].time),
                           "syns": len(syns), "dropped_syns": len(syns)})
            add_sig(dest, "syn_drop", "post_syn", [])
            tcp_summary["syn_drop"] += 1
    elif any(not passed for _, _, passed in syns):
        tcp_summary["syn_lost_then_answered"] += 1
    # client data dropped and never acknowledged
    cdata = [(i, p, passed) for i, (p, passed, dr) in enumerate(pk)
             if dr == "c2s" and len(bytes(p[TCP].payload)) > 0]
    if cdata and not rsts and not datas:
        first_seq = cdata[0][1][TCP].seq
        copies = [(i, p, passed) for i, p, passed in cdata if p[TCP].seq == first_seq]
        if not any(passed for _, _, passed in copies):
            stage = stage_before(pk, cdata[0][0] + 1)
            events.append({"signature": "data_drop", "stage": stage, "destination": dest,
                           "src": src, "dst": dst, "t": float(cdata[0][1].time),
                           "seq": first_seq, "len": len(bytes(cdata[0][1][TCP].payload)),
                           "copies_dropped": len(copies),
                           "client_fin": [("dropped" if not passed else "passed")
                                          for p, passed, dr in pk if dr == "c2s" and p[TCP].flags & 0x01],
                           "client_rst": [("dropped" if not passed else "passed")
                                          for p, passed, dr in pk if dr == "c2s" and p[TCP].flags & 0x04],
                           "server_packets_after_handshake": sum(
                               1 for p, passed, dr in pk if dr == "s2c" and not (p[TCP].flags & 0x02))})
            add_sig(dest, "data_drop", stage, ["retransmitted"] if len(copies) > 1 else [])
            tcp_summary["data_drop"] += 1

# ------------------------------------------------------------------ DNS
dns_q = collections.OrderedDict()    # (cip, cport, sip, id, qname, qtype) -> dict
for p, passed in ann:
    if UDP not in p or DNS not in p:
        continue
    ip, ttl = l3(p)
    u = p[UDP]
    dn = p[DNS]
    if not dn.qd:
        continue
    qname = dn.qd.qname.decode(errors="replace").rstrip(".").lower()
    qtype = dn.qd.qtype
    if dn.qr == 0 and is_client(ip.src):
        k = (ip.src, u.sport, ip.dst, dn.id, qname, qtype)
        e = dns_q.setdefault(k, {"queries": 0, "queries_dropped": 0, "resp": []})
        e["queries"] += 1
        e["queries_dropped"] += 0 if passed else 1
    elif dn.qr == 1 and is_client(ip.dst):
        k = (ip.dst, u.dport, ip.src, dn.id, qname, qtype)
        e = dns_q.setdefault(k, {"queries": 0, "queries_dropped": 0, "resp": []})
        ans = []
        for j in range(dn.ancount or 0):
            rr = dn.an[j]
            ans.append((rr.type, str(rr.rdata)))
        soa = any(dn.ns[j].type == 6 for j in range(dn.nscount or 0)) if dn.nscount else False
        e["resp"].append({"forged": not passed, "ttl": ttl, "rcode": dn.rcode, "answers": ans,
                          "t": float(p.time), "soa": soa})

dns_res_ttl = collections.Counter()
for k, e in dns_q.items():
    for r in e["resp"]:
        if not r["forged"]:
            dns_res_ttl[(k[2], r["ttl"])] += 1

dns_summary = collections.Counter()
for k, e in dns_q.items():
    cip, cport, sip, qid, qname, qtype = k
    dest_entry(qname)
    dns_summary["queries"] += e["queries"]
    dns_summary["queries_dropped"] += e["queries_dropped"]
    genuine = [r for r in e["resp"] if not r["forged"]]
    base = [t for (s, t), n in dns_res_ttl.items() if s == sip]
    for r in e["resp"]:
        if not r["forged"]:
            dns_summary["genuine_responses"] += 1
            continue
        dns_summary["forged_responses"] += 1
        ev = []
        if any(g["answers"] != r["answers"] or g["rcode"] != r["rcode"] for g in genuine):
            ev.append("multi_answer")
        if base and all(abs(r["ttl"] - t) > 1 for t in base):
            ev.append("ttl_mismatch")
        if qtype == 28 and any(t == 1 for t, _ in r["answers"]):
            ev.append("type_mismatch")
        gneg = [g for kk, ee in dns_q.items() if kk[2] == sip for g in ee["resp"]
                if not g["forged"] and g["rcode"] == 3]
        if r["rcode"] == 3 and not r["soa"] and gneg and all(g["soa"] for g in gneg):
            ev.append("no_soa")
        events.append({"signature": "dns_injection", "destination": qname,
                       "src": ep(sip, 53), "dst": ep(cip, cport), "t": r["t"], "id": qid,
                       "qtype": {1: "A", 28: "AAAA"}.get(qtype, qtype), "rcode": r["rcode"],
                       "answers": ["%s %s" % ({1: "A", 28: "AAAA"}.get(t, t), v) for t, v in r["answers"]],
                       "ttl": r["ttl"], "soa": r["soa"], "query_dropped": e["queries_dropped"] > 0,
                       "genuine_responses": len(genuine), "evidence": ev})
        add_sig(qname, "dns_injection", None, ev)

# ------------------------------------------------------------------ QUIC
quic = collections.OrderedDict()
for p, passed in ann:
    if UDP not in p:
        continue
    ip, ttl = l3(p)
    u = p[UDP]
    if is_client(ip.src) and u.dport == 443:
        k = (ip.src, u.sport, ip.dst)
        quic.setdefault(k, {"sent": 0, "passed": 0, "answers": 0, "t": float(p.time)})
        quic[k]["sent"] += 1
        quic[k]["passed"] += 1 if passed else 0
    elif is_client(ip.dst) and u.sport == 443:
        k = (ip.dst, u.dport, ip.src)
        quic.setdefault(k, {"sent": 0, "passed": 0, "answers": 0, "t": float(p.time)})
        quic[k]["answers"] += 1
for k, q in quic.items():
    cip, cport, sip = k
    c = by_sport.get(cport)
    dest = c["name"].lower() if c else norm(sip)
    dest_entry(dest)
    if q["sent"] and not q["passed"] and not q["answers"]:
        events.append({"signature": "quic_drop", "stage": "post_syn", "destination": dest,
                       "src": ep(cip, cport), "dst": ep(sip, 443), "t": q["t"],
                       "initials": q["sent"], "dropped": q["sent"]})
        add_sig(dest, "quic_drop", "post_syn", ["retransmitted"] if q["sent"] > 1 else [])

# ------------------------------------------------------------------ goodput / throttling
# Server packets seen on the server side (gs) but never on the client side
# (gc) were dropped by the gateway (policer or slow-link queue).
cli_keys = collections.Counter(k for k in map(key, cli) if k)
srv_conn = collections.defaultdict(list)      # conn key -> [(p, delivered)]
for p in srv:
    if TCP not in p:
        continue
    ip, _ = l3(p)
    if ip is None or not is_client(ip.dst):
        continue
    k = key(p)
    ok = cli_keys[k] > 0
    if ok:
        cli_keys[k] -= 1
    srv_conn[(ip.dst, p[TCP].dport, ip.src, p[TCP].sport)].append((p, ok))


def goodput(k, pk):
    """In-order bytes the client acknowledged (highest ACK - server ISN - 1,
    FIN excluded), from the first server data segment to the last ACK that
    advanced, both as seen at the capture point."""
    isn = None
    for p, _, dr in pk:
        if dr == "s2c" and (p[TCP].flags & 0x12) == 0x12:
            isn = p[TCP].seq
    if isn is None:
        return None
    t_first = None
    fin_seq = None
    for p, _, dr in pk:
        if dr == "s2c" and len(bytes(p[TCP].payload)) > 0 and t_first is None:
            t_first = float(p.time)
        if dr == "s2c" and p[TCP].flags & 0x01:
            fin_seq = (p[TCP].seq + len(bytes(p[TCP].payload)) - isn - 1) & 0xffffffff
    best, t_last = 0, None
    for p, _, dr in pk:
        if dr != "c2s" or not (p[TCP].flags & 0x10) or p[TCP].flags & 0x04:
            continue
        n = (p[TCP].ack - isn - 1) & 0xffffffff
        if n >= 1 << 31:
            continue
        if fin_seq is not None and n > fin_seq:
            n = fin_seq
        if n > best:
            best, t_last = n, float(p.time)
    if t_first is None or t_last is None or t_last <= t_first:
        return {"delivered_bytes": best, "duration_s": 0, "goodput_bps": None}
    return {"delivered_bytes": best, "duration_s": round(t_last - t_first, 3),
            "goodput_bps": int(best * 8 / (t_last - t_first))}


throttle_names = dict((x.split("=", 1)[0].lower(), int(x.split("=", 1)[1])) for x in a.throttle)
goodputs = []
if a.goodput or throttle_names:
    for k, pk in conns.items():
        cip, cport, sip, sport = k
        if not any(dr == "c2s" and (p[TCP].flags & 0x12) == 0x02 for p, _, dr in pk):
            continue
        dest = tcp_dest(k, pk)
        sp = srv_conn.get(k, [])
        drop = [p for p, ok in sp if not ok]
        g = goodput(k, pk) or {}
        ent = collections.OrderedDict([
            ("destination", dest), ("src", ep(cip, cport)), ("dst", ep(sip, sport))])
        ent.update(g)
        ent["server_packets"] = len(sp)
        ent["server_packets_dropped"] = len(drop)
        ent["server_bytes_dropped"] = sum(len(p[IP]) if IP in p else len(p[IPv6]) for p in drop)
        ent["server_retransmissions_seen"] = sum(
            1 for n in collections.Counter(
                (p[TCP].seq, len(bytes(p[TCP].payload))) for p, _, dr in pk
                if dr == "s2c" and len(bytes(p[TCP].payload)) > 0).values() if n > 1)
        goodputs.append(ent)
        if dest in throttle_names and drop:
            ev = {"signature": "throttling", "destination": dest, "src": ent["src"],
                  "dst": ent["dst"], "t": float(pk[0][0].time),
                  "cap_bps": throttle_names[dest]}
            ev.update((x, ent[x]) for x in ("delivered_bytes", "duration_s", "goodput_bps",
                                            "server_packets", "server_packets_dropped",
                                            "server_bytes_dropped"))
            events.append(ev)
            add_sig(dest, "throttling", None, [])
            tcp_summary["throttling"] += 1

# ------------------------------------------------------------------ truth
destinations = collections.OrderedDict()
for dest, e in per_dest.items():
    if not e["sigs"]:
        destinations[dest] = {"verdict": "clean"}
        continue
    sigs = {}
    for sig, stages in e["sigs"].items():
        st = collections.Counter(s for s in stages if s)
        ent = {"connections": len(stages),
               "stage": st.most_common(1)[0][0] if st else None}
        if len(st) > 1:
            ent["stages"] = dict(st)
        evc = e["evidence"].get(sig, {})
        ent["evidence"] = sorted(x for x in evc if x != "retransmitted")
        sigs[sig] = ent
    destinations[dest] = {"verdict": "interfered", "signatures": sigs}

# cross-check with the censor's own log
log_rst = collections.Counter(x["dst"] for x in censor if x.get("kind") == "rst")
log_dns = sum(1 for x in censor if x.get("kind") == "dns")
log_http = sum(1 for x in censor if x.get("kind") in ("http", "blockpage", "qi"))
if censor:
    diff_rst = collections.Counter()
    for ev in events:
        if ev["signature"] == "rst_injection":
            diff_rst[ev["src"]] += len(ev["injected"])
    if log_rst and sum(log_rst.values()) != sum(diff_rst.values()):
        # REJECT rules may add RSTs too; only a shortfall is suspicious
        if sum(diff_rst.values()) < sum(log_rst.values()):
            warnings.append("injector logged %d RSTs, capture shows %d forged" %
                            (sum(log_rst.values()), sum(diff_rst.values())))
    n_dns = sum(1 for ev in events if ev["signature"] == "dns_injection")
    if log_dns != n_dns:
        warnings.append("injector logged %d DNS answers, capture shows %d forged" % (log_dns, n_dns))
    n_http = sum(len(ev["injected"]) for ev in events
                 if ev["signature"] in ("http_injection", "tcp_injection"))
    if log_http != n_http:
        warnings.append("injector logged %d HTTP injections, capture shows %d" % (log_http, n_http))

# cross-check with the scenario intent
try:
    expect = json.loads(a.expect)
except ValueError:
    expect = {}
for dest, want in expect.items():
    got = destinations.get(dest)
    if got is None:
        warnings.append("expected destination %s not in capture" % dest)
        continue
    if want == "clean":
        if got["verdict"] != "clean":
            warnings.append("%s expected clean, censor did %s" % (dest, list(got["signatures"])))
        continue
    sig, stage, cnt = want.split("/")
    s = got.get("signatures", {}).get(sig)
    if not s:
        warnings.append("%s expected %s, got %s" % (dest, sig, got))
        continue
    if stage != "-" and s["stage"] != stage:
        warnings.append("%s %s: expected stage %s, got %s" % (dest, sig, stage, s["stage"]))
    if cnt.endswith("+"):
        if s["connections"] < int(cnt[:-1]):
            warnings.append("%s %s: expected >= %s, got %d" % (dest, sig, cnt, s["connections"]))
    elif s["connections"] != int(cnt):
        warnings.append("%s %s: expected %s, got %d" % (dest, sig, cnt, s["connections"]))
for dest, got in destinations.items():
    if dest not in expect and got["verdict"] != "clean":
        warnings.append("unexpected interfered destination %s" % dest)


def readf(n):
    p = os.path.join(d, n)
    return open(p).read() if os.path.exists(p) else ""


counters = [l for l in readf("counters.txt").splitlines()
            if l.startswith("#") or (l.strip() and l.split()[0].isdigit() and int(l.split()[0]) >= 0
                                     and not l.strip().startswith("pkts"))]
kinds = collections.Counter("%s/%s" % (x.get("kind"), x.get("mode", "")) for x in censor)
censor_log = "rules: %s | counters (pkts bytes target prot opt in out source destination match): %s | injector packets: %s" % (
    "; ".join(readf("rules.txt").splitlines()) or "none",
    " / ".join(" ".join(l.split()) for l in counters if not l.startswith("#")) or "none",
    ", ".join("%s=%d" % kv for kv in sorted(kinds.items())) or "none")
results = collections.Counter()
for c in clients:
    if c.get("tool") == "curl":
        results["curl rc=%d" % c["rc"]] += 1
    elif c.get("tool") == "labcli-tcp":
        results["labcli-tcp " + c.get("result", "?")] += 1
    elif c.get("tool") == "labcli-dns":
        results["labcli-dns responses=%d" % len(c["responses"])] += 1
    elif c.get("tool") == "labcli-quic":
        results["labcli-quic answered=%d" % c["answered"]] += 1

# --------------------------------------------------------- stored pcap
def rewrite_pcap(src, dst, trunc, dup_ips):
    """Copy the recording, cutting bulk server data to `trunc` bytes (the
    headers stay; the first 2 server data segments of each connection stay
    whole) and adding capture duplicates (same bytes, +10 us) of packets
    to/from dup_ips.  Returns (records written, truncated, duplicated)."""
    import struct
    raw = open(src, "rb").read()
    hdr, off, recs = raw[:24], 24, []
    endian = "<" if raw[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = raw[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    while off + 16 <= len(raw):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", raw[off:off + 16])
        recs.append([sec, frac, orig, raw[off + 16:off + 16 + incl]])
        off += 16 + incl
    unit = 1000 if nano else 1
    seen = collections.Counter()
    out, ntr, ndup = [], 0, 0
    from scapy.all import Ether
    for i, (sec, frac, orig, data) in enumerate(recs):
        p = Ether(data)
        ip, _ = l3(p)
        if trunc and ip is not None and TCP in p and is_client(ip.dst) and len(bytes(p[TCP].payload)) > 0:
            ck = (ip.src, ip.dst, p[TCP].sport, p[TCP].dport)
            seen[ck] += 1
            if seen[ck] > 2 and len(data) > trunc:
                data = data[:trunc]
                ntr += 1
        out.append((sec, frac, orig, data))
        if ip is not None and (ip.src in dup_ips or ip.dst in dup_ips):
            t = sec * 1000000 * unit + frac + 10 * unit
            if i + 1 < len(recs):
                t = min(t, recs[i + 1][0] * 1000000 * unit + recs[i + 1][1])
            out.append((t // (1000000 * unit), t % (1000000 * unit), orig, data))
            ndup += 1
    with open(dst, "wb") as f:
        f.write(hdr)
        for sec, frac, orig, data in out:
            f.write(struct.pack(endian + "IIII", sec, frac, len(data), orig) + data)
    return len(out), ntr, ndup


stored_packets = len(cli)
post = {}
if a.trunc or a.dup_ip:
    n, ntr, ndup = rewrite_pcap(os.path.join(d, "cli.pcap"),
                                os.path.join(a.out, a.scenario + ".pcap"), a.trunc, set(a.dup_ip))
    stored_packets = n
    if a.trunc:
        post["truncated_to_bytes"] = a.trunc
        post["truncated_packets"] = ntr
    if a.dup_ip:
        post["capture_duplicates_of"] = a.dup_ip
        post["capture_duplicates_added"] = ndup
        post["packets_recorded"] = len(cli)

for x in a.pending:
    dk, why = x.split("=", 1)
    if dk in destinations:
        destinations[dk]["pending"] = why
    else:
        warnings.append("pending destination %s not in truth" % dk)

throttle = None
if throttle_names:
    dr_pk = dr_by = 0
    for l in readf("counters.txt").splitlines():
        f = l.split()
        if len(f) > 2 and f[0].isdigit() and f[2] == "DROP" and "limit: above" in l:
            dr_pk += int(f[0])
            dr_by += int(f[1])
    tconns = [g for g in goodputs if g["destination"] in throttle_names]
    throttle = collections.OrderedDict([
        ("names", throttle_names),
        ("kernel_rules", [l for l in readf("rules_S.txt").splitlines() if "hashlimit" in l]),
        ("counter_dropped_packets", dr_pk), ("counter_dropped_bytes", dr_by),
        ("capture_dropped_packets", sum(g["server_packets_dropped"] for g in tconns)),
        ("capture_dropped_bytes", sum(g["server_bytes_dropped"] for g in tconns))])
    if dr_pk != throttle["capture_dropped_packets"]:
        warnings.append("policer counter %d drops, capture difference %d" % (
            dr_pk, throttle["capture_dropped_packets"]))
other = [g for g in goodputs if g["destination"] not in throttle_names and g["server_packets_dropped"]]
if other and not readf("qdisc.txt").strip():
    warnings.append("drops on unpoliced connections: %s" % ", ".join(g["src"] for g in other))
qdisc = readf("qdisc.txt").strip()
if qdisc:
    import re
    m = re.search(r"dropped (\d+)", qdisc)
    qd = int(m.group(1)) if m else -1
    cd = sum(g["server_packets_dropped"] for g in goodputs)
    if qd != cd:
        warnings.append("slow link qdisc dropped %d, capture difference %d" % (qd, cd))

truth = collections.OrderedDict([
    ("scenario", a.scenario), ("pcap", a.scenario + ".pcap"), ("vantage", "gateway"),
    ("packets", stored_packets),
    ("destinations", destinations),
    ("pending", {k: v["pending"] for k, v in destinations.items() if v.get("pending")} or None),
    ("throttle", throttle),
    ("goodput_method", "per TCP connection: in-order bytes the client acknowledged (highest ACK "
                       "- server ISN - 1, FIN excluded) * 8 / (time of the last ACK that advanced "
                       "- time of the first server data segment), at the capture point"
     if goodputs else None),
    ("goodput", goodputs or None),
    ("slow_link_qdisc", qdisc or None),
    ("stored_pcap", post or None),
    ("events", events),
    ("censor_log", censor_log),
    ("censor_packets", [x for x in censor if x.get("kind") != "relay"][:60]),
    ("summary", {"tcp": dict(tcp_summary), "dns": dict(dns_summary),
                 "clients": dict(results),
                 "relayed_for_latency": sum(1 for x in censor if x.get("kind") == "relay")}),
    ("notes", readf("notes.txt").strip()),
    ("warnings", warnings),
])
for k in ("pending", "throttle", "goodput_method", "goodput", "slow_link_qdisc", "stored_pcap"):
    if truth[k] is None:
        del truth[k]
with open(os.path.join(a.out, a.scenario + ".truth.json"), "w") as f:
    json.dump(truth, f, indent=1)
    f.write("\n")
short = ", ".join("%s=%s" % (k, v["verdict"] if v["verdict"] == "clean" else
                             "+".join("%s/%s/%d" % (s, x["stage"], x["connections"])
                                      for s, x in v["signatures"].items()))
                  for k, v in destinations.items())
print("truth %s: %d pkts; %s" % (a.scenario, len(cli), short), file=sys.stderr)
for w in warnings:
    print("  WARNING %s: %s" % (a.scenario, w), file=sys.stderr)
sys.exit(1 if warnings else 0)
