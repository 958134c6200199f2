#!/usr/bin/python3
"""Client for the live-capture test (runs inside netns tsl-cli).

usage: cli.py RESOLVER ROUNDS NAME[/6]...
For each round and name: DNS query (A, or AAAA with /6) to RESOLVER, a short
pause, then an HTTP GET with that Host to the first address answered
(connect timeout 2.5 s: a dropped SYN is retried once by the kernel)."""
import random, socket, struct, sys, time

RES, ROUNDS, TARGETS = sys.argv[1], int(sys.argv[2]), sys.argv[3:]


def resolve(name, v6):
    qtype = 28 if v6 else 1
    qid = random.randrange(65536)
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for lab in name.split("."):
        q += bytes([len(lab)]) + lab.encode()
    q += b"\x00" + struct.pack("!HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, (RES, 53))
    r, _ = s.recvfrom(2048)
    s.close()
    an, = struct.unpack("!H", r[6:8])
    i = len(q)
    for _ in range(an):
        t, _c, _ttl, ln = struct.unpack("!HHIH", r[i + 2:i + 12])
        if t == qtype:
            return socket.inet_ntop(socket.AF_INET6 if v6 else socket.AF_INET, r[i + 12:i + 12 + ln])
        i += 12 + ln
    return None


def fetch(name, addr):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(2.5)
    try:
        s.connect((addr, 80))
        s.sendall(("GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: tsl\r\n\r\n" % name).encode())
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        return "ok" if data.startswith(b"HTTP/1.1 200") else "short"
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return "error %s" % e
    finally:
        s.close()


for r in range(ROUNDS):
    for t in TARGETS:
        name, v6 = (t[:-2], True) if t.endswith("/6") else (t, False)
        addr = resolve(name, v6)
        time.sleep(0.3)   # the answer reaches every worker before the SYN (see gateway.md)
        print(name, addr, fetch(name, addr) if addr else "nxdomain", flush=True)
