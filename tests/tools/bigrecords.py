#!/usr/bin/python3
"""bigrecords.py OUT [N]: a classic pcap of N (200) Ethernet/IPv4/UDP records
of 256 KiB each (the largest snapshot length), one flow per record, in
198.18.0.0/15.  `--threads 2` hands the engine thread packets in
fastpcap's read blocks; with records this size a batch spans more than
its two 1 MiB blocks, so the reader must wait for the engine before it
fills a block again (tests/suites/threads.sh, tsan.sh)."""
import struct
import sys

SNAP = 262144


def record(i):
    udp = struct.pack(">HHHH", 40000 + i, 53 + i % 7, 8 + 1400, 0) + bytes([i & 255]) * 1400
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([198, 18, 0, 1 + i % 50]), bytes([198, 19, i % 200, 1]))
    frame = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00" + ip + udp
    frame += bytes(SNAP - len(frame))
    return struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame


def main():
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with open(sys.argv[1], "wb") as o:
        o.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, SNAP, 1))
        for i in range(n):
            o.write(record(i))


if __name__ == "__main__":
    main()
