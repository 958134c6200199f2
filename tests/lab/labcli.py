#!/usr/bin/python3
"""Lab clients that curl cannot play (runs inside netns ts-cli).

labcli.py tcp  NAME PORT SPORT WAIT [-4|-6]
    resolve NAME with the system resolver (getaddrinfo), connect from SPORT,
    wait WAIT seconds before sending an HTTP GET (a client that is slow to
    speak, so an injection right after the handshake is post_ack), read the
    answer.
labcli.py hang NAME PORT SPORT [-4|-6]
    a measurement client that gives up quickly: resolve NAME, connect from
    SPORT, send an HTTP GET, wait 1 s for any answer; if none, shutdown(WR)
    (a FIN) and after 0.5 s more abort with SO_LINGER 0 (an RST).  With the
    lab's rto_min 3 s route the kernel never retransmits the request first.
labcli.py tlsraw IP NAME SPORT
    a probe that records the raw TLS answer: sends a real ClientHello (Python
    ssl, SNI NAME) from SPORT to IP:443, reads whatever arrives for 1 s
    without parsing it (so forged bytes do not make it abort), closes (FIN).
labcli.py dns  SERVER NAME TYPE SPORT [--dup] [--id N] [--wait S]
    one DNS query (TYPE A/AAAA) from SPORT; --dup sends the same query (same
    id) a second time after 0.3 s (a stub retransmission); prints every
    response received within --wait seconds.
labcli.py quic IP NAME SPORT [--tries N]
    a real QUIC v1 Initial (RFC 9000/9001: AES-128-GCM, header protection)
    carrying a TLS ClientHello with SNI NAME, retransmitted with backoff
    (0.4, 0.8, 1.6 s ...), N tries; prints whether anything came back.
Each prints one JSON line on stdout.
"""
import json, os, random, socket, struct, sys, time


def tcp(args):
    name, port, sport, wait = args[0], int(args[1]), int(args[2]), float(args[3])
    fam = socket.AF_INET6 if "-6" in args else socket.AF_INET
    res = {"tool": "labcli-tcp", "name": name, "port": port, "sport": sport}
    try:
        ai = socket.getaddrinfo(name, port, fam, socket.SOCK_STREAM)
        ip = ai[0][4][0]
        res["ip"] = ip
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
        s.settimeout(4)
        s.connect((ip, port))
        time.sleep(wait)
        s.sendall(b"GET / HTTP/1.1\r\nHost: " + name.encode() + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            c = s.recv(4096)
            if not c:
                break
            data += c
        res["result"] = "ok" if data else "empty"
        res["bytes"] = len(data)
        s.close()
    except Exception as e:
        res["result"] = "error"
        res["error"] = str(e)
    print(json.dumps(res), flush=True)


def hang(args):
    name, port, sport = args[0], int(args[1]), int(args[2])
    fam = socket.AF_INET6 if "-6" in args else socket.AF_INET
    res = {"tool": "labcli-tcp", "name": name, "port": port, "sport": sport}
    try:
        ip = socket.getaddrinfo(name, port, fam, socket.SOCK_STREAM)[0][4][0]
        res["ip"] = ip
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
        s.settimeout(4)
        s.connect((ip, port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: " + name.encode() + b"\r\nConnection: close\r\n\r\n")
        data = b""
        s.settimeout(1.0)
        t0 = time.time()
        try:
            while True:
                c = s.recv(4096)
                if not c:
                    break
                data += c
        except socket.timeout:
            pass
        if data:
            res["result"] = "ok"
            res["bytes"] = len(data)
            s.close()
        else:
            res["result"] = "timeout"
            s.shutdown(socket.SHUT_WR)
            time.sleep(0.5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            res["closed"] = "FIN at 1 s, RST at 1.5 s"
    except Exception as e:
        res["result"] = "error"
        res["error"] = str(e)
    print(json.dumps(res), flush=True)


def tlsraw(args):
    import ssl
    ip, name, sport = args[0], args[1], int(args[2])
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    res = {"tool": "labcli-tcp", "name": name, "ip": ip, "port": 443, "sport": sport,
           "via": "resolve"}
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(inb, outb, server_hostname=name)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = outb.read()
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
        s.settimeout(4)
        s.connect((ip, 443))
        s.sendall(hello)
        data = b""
        t0 = time.time()
        while time.time() - t0 < 1.0:
            s.settimeout(max(0.01, 1.0 - (time.time() - t0)))
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            if not c:
                break
            data += c
        res["result"] = "ok" if data else "empty"
        res["bytes"] = len(data)
        res["head"] = data[:8].hex()
        s.close()
    except Exception as e:
        res["result"] = "error"
        res["error"] = str(e)
    print(json.dumps(res), flush=True)


def qname_wire(name):
    out = b""
    for lab in name.rstrip(".").split("."):
        out += bytes([len(lab)]) + lab.encode()
    return out + b"\0"


def parse_resp(d):
    qid, flags, qd, an = struct.unpack("!HHHH", d[:8])
    rcode = flags & 15
    off = 12
    # skip question
    while d[off] != 0:
        off += d[off] + 1
    off += 5
    answers = []
    for _ in range(an):
        if d[off] & 0xC0 == 0xC0:
            off += 2
        else:
            while d[off] != 0:
                off += d[off] + 1
            off += 1
        t, c, ttl, rl = struct.unpack("!HHIH", d[off:off + 10])
        off += 10
        rd = d[off:off + rl]
        off += rl
        if t == 1 and rl == 4:
            answers.append("A " + socket.inet_ntop(socket.AF_INET, rd))
        elif t == 28 and rl == 16:
            answers.append("AAAA " + socket.inet_ntop(socket.AF_INET6, rd))
        else:
            answers.append("type%d" % t)
    return {"id": qid, "rcode": rcode, "answers": answers}


def dns(args):
    server, name, qtype, sport = args[0], args[1], args[2], int(args[3])
    dup = "--dup" in args
    qid = int(args[args.index("--id") + 1]) if "--id" in args else random.randint(1, 65535)
    wait = float(args[args.index("--wait") + 1]) if "--wait" in args else 1.0
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname_wire(name) + \
        struct.pack("!HH", {"A": 1, "AAAA": 28}[qtype], 1)
    s.sendto(q, (server, 53))
    t0 = time.time()
    sent2 = False
    resps = []
    while time.time() - t0 < wait:
        if dup and not sent2 and time.time() - t0 >= 0.3:
            s.sendto(q, (server, 53))
            sent2 = True
        s.settimeout(0.05)
        try:
            d, _ = s.recvfrom(4096)
            r = parse_resp(d)
            r["after_ms"] = round((time.time() - t0) * 1000, 1)
            resps.append(r)
        except socket.timeout:
            pass
    print(json.dumps({"tool": "labcli-dns", "server": server, "name": name, "qtype": qtype,
                      "sport": sport, "id": qid, "dup": dup, "responses": resps}), flush=True)


# ---- QUIC v1 Initial ------------------------------------------------------
def hkdf_expand_label(secret, label, length):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    full = b"tls13 " + label
    info = struct.pack("!H", length) + bytes([len(full)]) + full + b"\0"
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


def client_initial_keys(dcid):
    import hmac, hashlib
    salt = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
    initial = hmac.new(salt, dcid, hashlib.sha256).digest()
    csec = hkdf_expand_label(initial, b"client in", 32)
    return (hkdf_expand_label(csec, b"quic key", 16), hkdf_expand_label(csec, b"quic iv", 12),
            hkdf_expand_label(csec, b"quic hp", 16))


def client_hello(sni, scid):
    def ext(t, body):
        return struct.pack("!HH", t, len(body)) + body
    sn = sni.encode()
    exts = ext(0, struct.pack("!HBH", len(sn) + 3, 0, len(sn)) + sn)
    exts += ext(10, struct.pack("!HH", 2, 0x001d))                    # groups x25519
    exts += ext(13, struct.pack("!HHH", 4, 0x0403, 0x0804))           # sig algs
    exts += ext(16, b"\x00\x03\x02h3")                                # ALPN h3
    exts += ext(43, b"\x02\x03\x04")                                  # TLS 1.3
    exts += ext(51, struct.pack("!HHH", 36, 0x001d, 32) + os.urandom(32))
    tp = b"\x01\x04\x80\x00\x75\x30" + b"\x0f" + bytes([len(scid)]) + scid
    exts += ext(0x39, tp)                                             # QUIC transport params
    body = b"\x03\x03" + os.urandom(32) + b"\x00" + b"\x00\x06\x13\x01\x13\x02\x13\x03" + \
        b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def quic_initial(sni, dcid, scid, pn):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key, iv, hp = client_initial_keys(dcid)
    ch = client_hello(sni, scid)
    crypto = b"\x06\x00" + struct.pack("!H", 0x4000 | len(ch)) + ch
    pn_len = 2
    payload = crypto + b"\x00" * (1162 - len(crypto))                 # PADDING frames
    length = pn_len + len(payload) + 16
    hdr = bytes([0xC0 | (pn_len - 1)]) + struct.pack("!I", 1) + bytes([len(dcid)]) + dcid + \
        bytes([len(scid)]) + scid + b"\x00" + struct.pack("!H", 0x4000 | length)
    pnb = struct.pack("!H", pn)
    nonce = bytes(a ^ b for a, b in zip(iv, b"\0" * 10 + pnb))
    ct = AESGCM(key).encrypt(nonce, payload, hdr + pnb)
    sample = ct[4 - pn_len:4 - pn_len + 16]
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    first = bytes([hdr[0] ^ (mask[0] & 0x0F)])
    pnp = bytes(p ^ m for p, m in zip(pnb, mask[1:1 + pn_len]))
    return first + hdr[1:] + pnp + ct


def quic(args):
    ip, name, sport = args[0], args[1], int(args[2])
    tries = int(args[args.index("--tries") + 1]) if "--tries" in args else 4
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    dcid, scid = os.urandom(8), os.urandom(8)
    got = 0
    wait = 0.4
    for i in range(tries):
        s.sendto(quic_initial(name, dcid, scid, i), (ip, 443))
        s.settimeout(wait)
        try:
            s.recvfrom(4096)
            got += 1
            break
        except (socket.timeout, ConnectionRefusedError):
            pass
        wait *= 2
    print(json.dumps({"tool": "labcli-quic", "ip": ip, "name": name, "sport": sport,
                      "tries": tries, "dcid": dcid.hex(), "answered": got}), flush=True)


if __name__ == "__main__":
    {"tcp": tcp, "hang": hang, "tlsraw": tlsraw, "dns": dns, "quic": quic}[sys.argv[1]](sys.argv[2:])
