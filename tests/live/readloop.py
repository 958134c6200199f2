#!/usr/bin/python3
"""readloop.py FILE STOPFILE: read FILE as JSON in a tight loop until
STOPFILE exists; print "reads N invalid M"."""
import json, os, sys
f, stop = sys.argv[1], sys.argv[2]
reads = invalid = 0
while not os.path.exists(stop):
    try:
        with open(f) as fh:
            data = fh.read()
    except FileNotFoundError:
        continue
    reads += 1
    try:
        r = json.loads(data)
        if r.get("schema") != "tamperscope.report/1":
            invalid += 1
    except ValueError:
        invalid += 1
print("reads %d invalid %d" % (reads, invalid))
