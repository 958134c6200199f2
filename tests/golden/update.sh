#!/bin/sh
# Rewrite the expected golden reports.  Review `git diff tests/golden`.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/golden/golden.py update
