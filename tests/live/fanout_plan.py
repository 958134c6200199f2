#!/usr/bin/python3
"""fanout_plan.py - build the replay capture of tests/suites/workers_split.sh
so that the connections to one dropped destination land on different
`capture --workers 2` workers.

  fanout_plan.py IFACE OUT.pcap OUT.plan.json PEER

Runs inside the test's namespace, on the capture side IFACE of a veth pair
whose other end is IFACE's peer (frames are sent there).  The kernel's
PACKET_FANOUT_HASH (a symmetric flow hash with a per-boot seed) decides the
worker of each flow, so the split is measured, not computed: two AF_PACKET
sockets on IFACE join one fanout group of type HASH|DEFRAG - what
cmd_capture.c / capture_live.c do for N = 2 - and one SYN of each candidate
4-tuple is sent through the peer; the socket that gets it is that flow's
worker slot (the same for any group of 2: reciprocal_scale(hash, 2)).

The capture (addresses in 198.18.0.0/15 only), one client 198.18.30.2:
  t=0.0   DNS A drop2.example -> 198.18.31.12, drop3.example -> 198.18.31.13
          (resolver 198.18.30.53)
  t=0.5   drop2.example:443, 2 connections, SYN + 1 retransmission each,
          one connection on each worker
  t=0.6   drop3.example:443, 3 connections, SYN + 2 retransmissions each,
          spread over both workers
  t=5.5   UDP to 198.18.31.20:9 (unanswered, not DNS): moves the clock past
          the SYN timeout so every dropped SYN is decided
Nothing is answered except DNS (DNS flows never count as answered).
Whole-capture analysis: drop2.example syn_drop x2, confidence 0.25 + 0.25
(two connections) + 0.15 (named) = 0.65; each worker alone sees one.

The plan (JSON): the port per connection, the slot of every flow, and the
packets each slot should get.
"""
import json
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_FANOUT = 18
PACKET_FANOUT_HASH = 0
PACKET_FANOUT_FLAG_DEFRAG = 0x8000

CLI = "198.18.30.2"
RESOLVER = "198.18.30.53"
DESTS = {"drop2.example": ("198.18.31.12", 2, 2), "drop3.example": ("198.18.31.13", 3, 3)}
MARK = ("198.18.31.20", 9)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(src, dst, proto, payload, ttl=64, ipid=1):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ipid, 0x4000, ttl, proto, 0, s, d)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h, s, d


def l4sum(s, d, proto, seg):
    return csum(s + d + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def tcp_syn(src, sport, dst, dport, seq, ipid):
    opts = struct.pack("!BBH", 2, 4, 1460) + b"\x01\x01\x04\x02"   # MSS, NOP NOP SACK-perm
    hl = 20 + len(opts)
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (hl // 4) << 4, 0x02, 64240, 0, 0) + opts
    h, s, d = ipv4(src, dst, 6, seg, ipid=ipid)
    c = l4sum(s, d, 6, seg)
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return h + seg


def udp(src, sport, dst, dport, payload, ttl=64, ipid=1):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    h, s, d = ipv4(src, dst, 17, seg, ttl=ttl, ipid=ipid)
    c = l4sum(s, d, 17, seg) or 0xffff
    seg = seg[:6] + struct.pack("!H", c) + seg[8:]
    return h + seg


def qname(n):
    return b"".join(bytes([len(p)]) + p.encode() for p in n.split(".")) + b"\0"


def dns_query(qid, name):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack("!HH", 1, 1)


def dns_answer(qid, name, addr):
    q = qname(name) + struct.pack("!HH", 1, 1)
    rr = struct.pack("!HHHIH", 0xc00c, 1, 1, 300, 4) + socket.inet_aton(addr)
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + rr


class Eth:
    def __init__(self, dst_mac):
        self.dst = bytes.fromhex(dst_mac.replace(":", ""))
        self.src = bytes.fromhex("02005e000001")

    def frame(self, ip):
        return self.dst + self.src + b"\x08\x00" + ip


def fanout_socks(iface, group):
    socks = []
    for _ in range(2):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((iface, 0))
        arg = group | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16)
        s.setsockopt(SOL_PACKET, PACKET_FANOUT, struct.pack("I", arg))   # > INT_MAX: as bytes
        s.setblocking(False)
        socks.append(s)
    return socks


def drain(socks, t=0.05):
    got = {0: [], 1: []}
    end = time.time() + t
    while True:
        left = end - time.time()
        if left <= 0:
            break
        r, _, _ = select.select(socks, [], [], left)
        for s in r:
            while True:
                try:
                    data, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == socket.PACKET_OUTGOING:
                    continue
                got[socks.index(s)].append(data)
    return got


def slot_of(socks, tx, frame):
    drain(socks, 0.02)
    tx.send(frame)
    got = drain(socks, 0.2)
    hit = [i for i in (0, 1) if any(d[14:] == frame[14:] for d in got[i])]
    return hit[0] if len(hit) == 1 else None


def pcap_write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for ts, fr in frames:
            sec, usec = int(ts), int(round((ts - int(ts)) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)) + fr)


def main():
    iface, out, planf = sys.argv[1:4]
    peer = sys.argv[4] if len(sys.argv) > 4 else None
    mac = open("/sys/class/net/%s/address" % iface).read().strip()
    eth = Eth(mac)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((peer, 0))
    socks = fanout_socks(iface, (os.getpid() & 0x7fff) | 1)
    time.sleep(0.1)

    # one SYN per candidate client port, per destination: which slot?
    slots = {}
    for name, (ip, nconn, _) in DESTS.items():
        by = {0: [], 1: []}
        for port in range(40000, 40064):
            sl = slot_of(socks, tx, eth.frame(tcp_syn(CLI, port, ip, 443, 1000, 1)))
            if sl is not None:
                by[sl].append(port)
            if len(by[0]) >= nconn and len(by[1]) >= nconn:
                break
        if not by[0] or not by[1]:
            print("fanout_plan: %s: all candidate flows hash to one slot: %s" % (name, by), file=sys.stderr)
            return 2
        # spread: alternate slots, starting with slot 0
        ports, i = [], 0
        while len(ports) < nconn:
            lst = by[i % 2]
            ports.append(lst.pop(0))
            i += 1
        slots[name] = {"ip": ip, "ports": ports, "slot": [None] * nconn}
    # the slot of each chosen connection, measured again; DNS and marker too
    for name, s in slots.items():
        for k, port in enumerate(s["ports"]):
            s["slot"][k] = slot_of(socks, tx, eth.frame(tcp_syn(CLI, port, s["ip"], 443, 1000, 1)))
    dns_q = {name: eth.frame(udp(CLI, 50000 + k, RESOLVER, 53, dns_query(0x1000 + k, name)))
             for k, name in enumerate(DESTS)}
    dns_slot = {name: slot_of(socks, tx, f) for name, f in dns_q.items()}
    mark = eth.frame(udp(CLI, 50100, MARK[0], MARK[1], b"end"))
    mark_slot = slot_of(socks, tx, mark)
    for s in socks:
        s.close()

    # the capture
    t0 = 1700000000.0
    frames, per_slot, ipid = [], [0, 0], 100
    for k, (name, (ip, _, _)) in enumerate(DESTS.items()):
        frames.append((t0 + 0.01 * k, dns_q[name]))
        frames.append((t0 + 0.01 * k + 0.004,
                       eth.frame(udp(RESOLVER, 53, CLI, 50000 + k, dns_answer(0x1000 + k, name, ip), ttl=63))))
        per_slot[dns_slot[name]] += 2
    t = t0 + 0.5
    for name, s in slots.items():
        tries = DESTS[name][2]
        for k, port in enumerate(s["ports"]):
            seq = 7000000 + 1000 * port
            for j in range(tries):
                ipid += 1
                frames.append((t + k * 0.05 + (1.0 * (2 ** j) - 1.0), eth.frame(tcp_syn(CLI, port, s["ip"], 443, seq, ipid))))
                per_slot[s["slot"][k]] += 1
        t += 0.1
    frames.append((t0 + 5.5, mark))    # last first-SYN at +0.75 s, + 3 s SYN timeout
    per_slot[mark_slot] += 1
    frames.sort(key=lambda x: x[0])
    pcap_write(out, frames)
    plan = {"dests": slots, "dns_slot": dns_slot, "mark_slot": mark_slot, "packets_per_slot": per_slot}
    with open(planf, "w") as f:
        json.dump(plan, f, indent=1)
    ok = all(len(set(s["slot"])) == 2 for s in slots.values())
    print(json.dumps(plan))
    return 0 if ok else 3


sys.exit(main())
