#!/usr/bin/python3
"""On-path censor for the tamperscope lab.  Runs inside netns ts-gw.

It sniffs the gateway's client-side interface (CIF) and injects forged
packets toward the client with sendp (they bypass netfilter and never reach
the server).  Every packet it sends is logged as one JSON line (--log): this
log is ground truth.  It can also emulate latency (no netem here): a packet
from the server matched by --delay is sniffed on the server-side interface
(SIF) before netfilter (which drops the original, rule set by lab.sh) and
re-sent toward the client after the delay with its TTL/hop limit decremented,
exactly as forwarding would have done.

options (repeatable):
  --rst-psh TRIGGER      client TCP data containing TRIGGER -> GFW-like RST
                         burst to the client (R seq base/base+1460/base+4380,
                         TTL 101-103, then an RST+ACK, TTL 104, window 1981)
  --rst-ack IP           SYN-ACK from server IP -> 3 RST+ACK with equal seq,
                         TTL 111-113 (post_ack)
  --rst-syn IP           client SYN to IP -> one RST+ACK answering it,
                         TTL 101 (post_syn)
  --dns-inject NAME=IP   query for NAME (or a subdomain) -> forged A answer
                         (also to AAAA queries: type mismatch), IP TTL 64
  --dns-nx NAME          query for NAME -> forged NXDOMAIN (in-path: lab.sh
                         drops the query), IP TTL 64
  --http307 TRIGGER      HTTP request containing TRIGGER -> 307 redirect data
                         segment with FIN, IP-ID 0x3412, TTL 64
  --blockpage TRIGGER    client TCP data containing TRIGGER -> raw HTML (no
                         HTTP status line) in one FIN+ACK segment, IP TTL 64,
                         no DF, TOS 0x28 (v6: hop limit 64, traffic class
                         0x28); in-path: lab.sh drops the request
  --qi TRIGGER           client TCP data containing TRIGGER -> Quantum-Insert
                         style race: 64 raw (non-HTTP) bytes at the server's
                         next seq, PSH+ACK, TTL 49 and DF like the server's;
                         the server answers 300 ms later at the same seq
  --delay BPF=MS         relay server->client packets matching BPF after MS
"""
import argparse, json, os, signal, sys, threading, time
from scapy.all import (AsyncSniffer, Ether, IP, IPv6, TCP, UDP, DNS, DNSQR,
                       DNSRR, Raw, conf)

ap = argparse.ArgumentParser()
ap.add_argument("--cif", default="gc")
ap.add_argument("--sif", default="gs")
ap.add_argument("--gw-mac", default="02:00:00:00:00:01")
ap.add_argument("--cli-mac", default="02:00:00:00:00:02")
ap.add_argument("--srv-mac", default="02:00:00:00:00:04")
ap.add_argument("--log", required=True)
ap.add_argument("--rst-psh", action="append", default=[])
ap.add_argument("--rst-ack", action="append", default=[])
ap.add_argument("--rst-syn", action="append", default=[])
ap.add_argument("--dns-inject", action="append", default=[])
ap.add_argument("--dns-nx", action="append", default=[])
ap.add_argument("--http307", action="append", default=[])
ap.add_argument("--blockpage", action="append", default=[])
ap.add_argument("--qi", action="append", default=[])
ap.add_argument("--delay", action="append", default=[])
ap.add_argument("--ready", help="file to touch when sniffing")
a = ap.parse_args()

logf = open(a.log, "a", buffering=1)
lock = threading.Lock()
sock = conf.L2socket(iface=a.cif)
sent = set()
dns_inj = dict(x.split("=", 1) for x in a.dns_inject)
trig_psh = [t.encode() for t in a.rst_psh]
trig_307 = [t.encode() for t in a.http307]
trig_bp = [t.encode() for t in a.blockpage]
trig_qi = [t.encode() for t in a.qi]
BLOCKPAGE = (b"<html><head><title>Access denied</title></head><body>"
             b"<iframe src=\"http://198.18.3.80/\" width=\"100%\" height=\"100%\">"
             b"</iframe></body></html>\r\n")


def ep(ip, port):
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)


def send(pkt, rec):
    raw = bytes(pkt)
    with lock:
        sent.add(raw)
        sock.send(Ether(raw))
        rec["t"] = time.time()
        logf.write(json.dumps(rec) + "\n")


def l3(p):
    return p[IP] if IP in p else p[IPv6]


def mk_ip(src, dst, ttl, ipid=None, df=False, tos=0):
    if ":" in src:
        return IPv6(src=src, dst=dst, hlim=ttl, tc=tos)
    ip = IP(src=src, dst=dst, ttl=ttl, flags="DF" if df else 0, tos=tos)
    if ipid is not None:
        ip.id = ipid
    return ip


def eth():
    return Ether(src=a.gw_mac, dst=a.cli_mac)


def forge_rst(p, kind, trigger, seqs_ttls_flags):
    ip, t = l3(p), p[TCP]
    for seq, ack, ttl, flags, win, ipid, df in seqs_ttls_flags:
        pk = eth() / mk_ip(ip.dst if kind != "ack" else ip.src,
                           ip.src if kind != "ack" else ip.dst, ttl, ipid, df)
        if kind == "ack":   # trigger is the server's SYN-ACK (server -> client)
            pk = pk / TCP(sport=t.sport, dport=t.dport, flags=flags,
                          seq=seq & 0xffffffff, ack=ack & 0xffffffff, window=win)
            src, dst = ep(ip.src, t.sport), ep(ip.dst, t.dport)
        else:               # trigger is client -> server
            pk = pk / TCP(sport=t.dport, dport=t.sport, flags=flags,
                          seq=seq & 0xffffffff, ack=ack & 0xffffffff, window=win)
            src, dst = ep(ip.dst, t.dport), ep(ip.src, t.sport)
        send(pk, {"kind": "rst", "mode": kind, "trigger": trigger,
                  "src": src, "dst": dst, "seq": seq & 0xffffffff,
                  "ack": ack & 0xffffffff, "ttl": ttl, "flags": flags})


def on_client(p):
    if bytes(p) in sent:
        return
    if p.src != a.cli_mac:
        # server -> client (forwarded): SYN-ACK triggers for --rst-ack
        if TCP in p and a.rst_ack and (p[TCP].flags & 0x12) == 0x12:
            ip = l3(p)
            if ip.src in a.rst_ack:
                s, k = p[TCP].seq + 1, p[TCP].ack
                forge_rst(p, "ack", ip.src,
                          [(s, k, 111, "RA", 0, None, False),
                           (s, k, 112, "RA", 0, None, False),
                           (s, k, 113, "RA", 0, None, False)])
        return
    ip = l3(p)
    if TCP in p:
        t = p[TCP]
        if (t.flags & 0x12) == 0x02 and ip.dst in a.rst_syn:
            forge_rst(p, "syn", ip.dst, [(0, t.seq + 1, 101, "RA", 0, None, False)])
            return
        pl = bytes(t.payload)
        if not pl:
            return
        for tr in trig_psh:
            if tr in pl:
                base, cack = t.ack, t.seq + len(pl)
                forge_rst(p, "psh", tr.decode(),
                          [(base, 0, 101, "R", 0, 64, False),
                           (base + 1460, 0, 102, "R", 0, 64, False),
                           (base + 4380, 0, 103, "R", 0, 64, False),
                           (base, cack, 104, "RA", 1981,
                            (-1 - 1981 * 13) & 0xffff, True)])
                return
        for tr in trig_bp:
            if tr in pl:
                pk = eth() / mk_ip(ip.dst, ip.src, 64, 0, False, 0x28) / TCP(
                    sport=t.dport, dport=t.sport, flags="FA", seq=t.ack,
                    ack=(t.seq + len(pl)) & 0xffffffff, window=8192) / Raw(BLOCKPAGE)
                send(pk, {"kind": "blockpage", "trigger": tr.decode(),
                          "src": ep(ip.dst, t.dport), "dst": ep(ip.src, t.sport),
                          "seq": t.ack, "ttl": 64, "df": False, "tos": 0x28,
                          "flags": "FA", "len": len(BLOCKPAGE)})
                return
        for tr in trig_qi:
            if tr in pl:
                import hashlib
                raw = hashlib.sha256(b"qi%d" % t.ack).digest() * 2
                pk = eth() / mk_ip(ip.dst, ip.src, 49, None, True) / TCP(
                    sport=t.dport, dport=t.sport, flags="PA", seq=t.ack,
                    ack=(t.seq + len(pl)) & 0xffffffff, window=502) / Raw(raw)
                send(pk, {"kind": "qi", "trigger": tr.decode(),
                          "src": ep(ip.dst, t.dport), "dst": ep(ip.src, t.sport),
                          "seq": t.ack, "ttl": 49, "df": True, "flags": "PA",
                          "len": len(raw)})
                return
        for tr in trig_307:
            if tr in pl and pl.startswith(b"GET "):
                body = (b"HTTP/1.1 307 Temporary Redirect\r\n"
                        b"Location: http://198.18.3.80/blocked.html\r\n"
                        b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                pk = eth() / mk_ip(ip.dst, ip.src, 64, 0x3412) / TCP(
                    sport=t.dport, dport=t.sport, flags="FPA", seq=t.ack,
                    ack=(t.seq + len(pl)) & 0xffffffff, window=8192) / Raw(body)
                send(pk, {"kind": "http", "trigger": tr.decode(),
                          "src": ep(ip.dst, t.dport), "dst": ep(ip.src, t.sport),
                          "seq": t.ack, "ttl": 64, "ipid": 0x3412, "flags": "FPA",
                          "len": len(body)})
                return
    elif UDP in p and p[UDP].dport == 53 and DNS in p and p[DNS].qr == 0 and p[DNS].qd:
        q = p[DNS].qd
        qname = q.qname.decode().rstrip(".").lower()
        qtype = q.qtype

        def hit(names):
            for n in names:
                if qname == n or qname.endswith("." + n):
                    return n
            return None
        u = p[UDP]
        n = hit(dns_inj)
        nx = hit(a.dns_nx)
        if n is None and nx is None:
            return
        base = eth() / mk_ip(ip.dst, ip.src, 64, None) / UDP(sport=53, dport=u.sport)
        if n is not None:
            fip = dns_inj[n]
            d = DNS(id=p[DNS].id, qr=1, aa=0, rd=p[DNS].rd, ra=1, rcode=0,
                    qd=DNSQR(qname=q.qname, qtype=qtype, qclass=1),
                    an=DNSRR(rrname=q.qname, type="A", ttl=300, rdata=fip))
            rec = {"kind": "dns", "mode": "inject", "answer": fip, "rcode": 0}
        else:
            d = DNS(id=p[DNS].id, qr=1, aa=0, rd=p[DNS].rd, ra=1, rcode=3,
                    qd=DNSQR(qname=q.qname, qtype=qtype, qclass=1))
            rec = {"kind": "dns", "mode": "nxdomain", "answer": None, "rcode": 3}
        rec.update({"qname": qname, "qtype": qtype, "id": p[DNS].id,
                    "src": ep(ip.dst, 53), "dst": ep(ip.src, u.sport), "ttl": 64})
        send(base / d, rec)


delays = []
for spec in a.delay:
    bpf, ms = spec.rsplit("=", 1)
    delays.append((bpf, float(ms) / 1000.0))


def relay(p, dl):
    raw = bytes(p)
    pk = Ether(raw)
    pk.src, pk.dst = a.gw_mac, a.cli_mac
    if IP in pk:
        pk[IP].ttl -= 1
        del pk[IP].chksum
    else:
        pk[IPv6].hlim -= 1
    for l4 in (TCP, UDP):
        if l4 in pk:
            del pk[l4].chksum
    threading.Timer(dl, lambda: send(pk, {"kind": "relay", "delay_ms": dl * 1000,
                                          "summary": p.summary()})).start()


sniffers = [AsyncSniffer(iface=a.cif, prn=on_client, store=False,
                         filter="tcp or udp port 53")]
for bpf, dl in delays:
    sniffers.append(AsyncSniffer(iface=a.sif, prn=lambda p, dl=dl: relay(p, dl),
                                 store=False,
                                 filter="ether src %s and (%s)" % (a.srv_mac, bpf)))
for s in sniffers:
    s.start()
time.sleep(0.5)
if a.ready:
    open(a.ready, "w").close()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *x: stop.set())
signal.signal(signal.SIGINT, lambda *x: stop.set())
stop.wait()
for s in sniffers:
    try:
        s.stop()
    except Exception:
        pass
