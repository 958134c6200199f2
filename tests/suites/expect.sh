#!/bin/sh
# Semantic expectations on generated and shared captures.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/expect.py
