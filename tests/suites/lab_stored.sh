#!/bin/sh
# The committed lab recordings (pcaps/lab) against their ground truth.
# Recorded captures are deterministic: tight tolerance.
cd "$(dirname "$0")/../.." && LAB_TOLERANCE=0.05 exec sh tests/lab/lab-test.sh --stored
