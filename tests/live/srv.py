#!/usr/bin/python3
"""Servers for the live-capture test (runs inside netns tsl-srv).

usage: srv.py RESOLVER_ADDR NAME=ADDR[,ADDR6]...
A tiny authoritative DNS server (UDP 53 on RESOLVER_ADDR: A/AAAA for the
names given, NXDOMAIN otherwise, TTL 300) and a minimal HTTP server on
port 80 of every address (answers "ok", closes)."""
import socket, struct, sys, threading

RES = sys.argv[1]
NAMES = {}
for spec in sys.argv[2:]:
    n, a = spec.split("=", 1)
    NAMES[n.lower()] = a.split(",")


def dns_loop():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((RES, 53))
    while True:
        q, peer = s.recvfrom(2048)
        try:
            qid, flags, qd = struct.unpack("!HHH", q[:6])
            i, labels = 12, []
            while q[i]:
                labels.append(q[i + 1:i + 1 + q[i]].decode())
                i += 1 + q[i]
            qtype, = struct.unpack("!H", q[i + 1:i + 3])
            question = q[12:i + 5]
            name = ".".join(labels).lower()
            ans = []
            for a in NAMES.get(name, []):
                fam = socket.AF_INET6 if ":" in a else socket.AF_INET
                t = 28 if fam == socket.AF_INET6 else 1
                if t == qtype:
                    raw = socket.inet_pton(fam, a)
                    ans.append(b"\xc0\x0c" + struct.pack("!HHIH", t, 1, 300, len(raw)) + raw)
            rcode = 0 if name in NAMES else 3
            hdr = struct.pack("!HHHHHH", qid, 0x8400 | rcode, 1, len(ans), 0, 0)
            s.sendto(hdr + question + b"".join(ans), peer)
        except Exception:
            pass


def http_conn(c):
    try:
        # never time out during a test: a late server FIN would leak into the next capture
        c.settimeout(600)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 16384:
            chunk = c.recv(4096)
            if not chunk:
                return
            data += chunk
        body = b"ok\n"
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n" + body)
    except Exception:
        pass
    finally:
        c.close()


def http_loop(fam):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 80))
    s.listen(128)
    while True:
        c, _ = s.accept()
        threading.Thread(target=http_conn, args=(c,), daemon=True).start()


threading.Thread(target=http_loop, args=(socket.AF_INET,), daemon=True).start()
threading.Thread(target=http_loop, args=(socket.AF_INET6,), daemon=True).start()
print("ready", flush=True)
dns_loop()
