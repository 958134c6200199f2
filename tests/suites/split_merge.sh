#!/bin/sh
# Split/merge property test (issue #13): every capture split between flows
# into 2 and 3 parts (build/tools/pcapsplit), the parts analysed and merged,
# compared with the whole capture's report.  See split_merge.py.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/suites/split_merge.py
