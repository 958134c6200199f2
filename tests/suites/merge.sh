#!/bin/sh
# `tamperscope merge`: commutative/associative, schema-valid, and a capture
# split where no flow spans the cut merges back to the whole's report.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/suites/merge.py
