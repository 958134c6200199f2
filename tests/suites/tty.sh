#!/bin/sh
# analyze on a terminal (pseudo-terminals): progress line, text vs JSON default.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/suites/tty.py
