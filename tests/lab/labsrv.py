#!/usr/bin/python3
"""Lab servers for the tamperscope censor lab (runs inside netns ts-srv).

usage: labsrv.py CERT KEY SPEC...
SPEC = kind@addr@port[@delay_ms]
  kind: http    - minimal HTTP/1.1, answers "ok", closes with FIN
        https   - TLS (self-signed cert) + the same HTTP answer
        abort   - HTTP: reads the request, sends part of an answer, then
                  closes with SO_LINGER 0 (a genuine server RST after data)
        block   - HTTP "block page" (the address forged DNS answers point to)
        pace    - HTTP that paces every answer itself: PACE_CHUNK bytes every
                  PACE_GAP s (2048 B / 0.1 s = 164 kbit/s), for every client,
                  no loss (a slow server, not a throttle)
        paces   - the same over TLS
GET /big/N (http, https, pace, paces) answers N bytes of body (a download);
other paths answer "ok".
delay_ms: wait that long after accept before reading/answering (makes the
          server slower than an on-path injector, like a far-away server).
Idle connections are kept open (never closed by the server) so no stray
server FIN leaks into a later capture.
"""
import socket, ssl, struct, sys, threading, time

BODY = b"ok\n"
PACE_CHUNK, PACE_GAP = 2048, 0.1
FILL = bytes(range(33, 127)) * 700          # 65800 printable bytes


def send_big(c, n, paced):
    """Header + n bytes of body, paced or as fast as TCP goes."""
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
              b"Content-Length: " + str(n).encode() + b"\r\nConnection: close\r\n\r\n")
    step = PACE_CHUNK if paced else 65536
    while n > 0:
        k = min(step, n)
        c.sendall(FILL[:k])
        n -= k
        if paced:
            time.sleep(PACE_GAP)


def answer(body=BODY, extra=b""):
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\nConnection: close\r\n" + extra + b"\r\n" + body)


def read_request(c):
    c.settimeout(600)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 16384:
        chunk = c.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data


def handle(kind, c, ctx, delay):
    try:
        if delay:
            time.sleep(delay / 1000.0)
        if kind in ("https", "paces"):
            c.settimeout(600)
            c = ctx.wrap_socket(c, server_side=True)
        req = read_request(c)
        if req is None:
            return
        if kind == "abort":
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
            time.sleep(0.05)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
            return
        path = req.split(b" ", 2)[1] if req.count(b" ") >= 2 else b"/"
        paced = kind in ("pace", "paces")
        if kind == "block":
            c.sendall(answer(b"<html>blocked</html>\n"))
        elif path.startswith(b"/big/"):
            send_big(c, int(path[5:]), paced)
        elif paced:
            send_big(c, len(BODY), True)
        else:
            c.sendall(answer())
        if kind in ("https", "paces"):
            try:
                c.unwrap()
            except Exception:
                pass
        c.shutdown(socket.SHUT_WR)
        # wait for the client's FIN so that we do not leave TIME_WAIT noise
        try:
            c.settimeout(5)
            while c.recv(4096):
                pass
        except Exception:
            pass
        c.close()
    except Exception as e:  # resets from injected RSTs etc.
        try:
            c.close()
        except Exception:
            pass


def listen(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    return s


def serve(kind, s, delay, ctx):
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(kind, c, ctx, delay), daemon=True).start()


def main():
    cert, key = sys.argv[1], sys.argv[2]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    for spec in sys.argv[3:]:
        parts = spec.split("@")
        kind, addr, port = parts[0], parts[1], int(parts[2])
        delay = int(parts[3]) if len(parts) > 3 else 0
        s = listen(addr, port)
        threading.Thread(target=serve, args=(kind, s, delay, ctx), daemon=True).start()
    print("labsrv ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
