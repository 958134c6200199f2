#!/bin/sh
# The man page against every command's -h, groff/man rendering, make install.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/suites/manpage.py
