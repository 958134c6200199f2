#!/usr/bin/python3
"""replay.py - send the frames of a pcap (Ethernet link type) out of IFACE
with an AF_PACKET socket, keeping the gaps between packets (no tcpreplay
needed).  Prints "sent N".
  replay.py IFACE FILE.pcap"""
import socket
import struct
import sys
import time


def frames(path):
    with open(path, "rb") as f:
        h = f.read(24)
        magic = struct.unpack("<I", h[:4])[0]
        if magic in (0xa1b2c3d4, 0xa1b23c4d):
            e = "<"
        elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
            e = ">"
            magic = struct.unpack(">I", h[:4])[0]
        else:
            raise SystemExit("replay.py: %s: not a pcap file" % path)
        div = 1e9 if magic == 0xa1b23c4d else 1e6
        if struct.unpack(e + "I", h[20:24])[0] != 1:
            raise SystemExit("replay.py: %s: not Ethernet" % path)
        while True:
            r = f.read(16)
            if len(r) < 16:
                return
            sec, frac, cap, _ = struct.unpack(e + "IIII", r)
            yield sec + frac / div, f.read(cap)


def main():
    iface, path = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    start = first = None
    n = 0
    for ts, fr in frames(path):
        if first is None:
            first, start = ts, time.monotonic()
        wait = (ts - first) - (time.monotonic() - start)
        if wait > 0:
            time.sleep(wait)
        s.send(fr)
        n += 1
    print("sent %d" % n)


if __name__ == "__main__":
    main()
