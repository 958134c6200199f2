#!/usr/bin/python3
"""report_diff.py - the comparison of the split/merge and workers tests
(issue #13): a report against the expected one (the whole capture's).

  report_diff.py EXPECTED.json OTHER.json     prints the differences, exit 1 if any

Per destination: present, verdict, tcp counters; per signature (type,
stage): present, count, confidence, evidence counts.  dns_injection is
compared by presence and confidence only (in a split capture DNS packets go
to every part, so its counts multiply)."""
import json
import sys


def sigkey(s):
    return "%s/%s" % (s["type"], s.get("stage") or "-")


def close(a, b):
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-9


def compare(whole, other):
    """[(destination, item, expected value, other value)]"""
    diffs = []
    wd = {d["destination"]: d for d in whole["destinations"]}
    md = {d["destination"]: d for d in other["destinations"]}
    for name in sorted(set(wd) | set(md)):
        w, m = wd.get(name), md.get(name)
        if w is None or m is None:
            diffs.append((name, "present", w is not None, m is not None))
            continue
        if w["verdict"] != m["verdict"]:
            diffs.append((name, "verdict", w["verdict"], m["verdict"]))
        for k in sorted(set(w["tcp"]) | set(m["tcp"])):
            if w["tcp"].get(k) != m["tcp"].get(k):
                diffs.append((name, "tcp." + k, w["tcp"].get(k), m["tcp"].get(k)))
        ws = {sigkey(s): s for s in w["signatures"]}
        ms = {sigkey(s): s for s in m["signatures"]}
        for k in sorted(set(ws) | set(ms)):
            a, b = ws.get(k), ms.get(k)
            if a is None or b is None:
                diffs.append((name, k, "present" if a else "absent", "present" if b else "absent"))
                continue
            if not close(a["confidence"], b["confidence"]):
                diffs.append((name, k + " confidence", a["confidence"], b["confidence"]))
            if k.startswith("dns_injection/"):
                continue
            if a["count"] != b["count"]:
                diffs.append((name, k + " count", a["count"], b["count"]))
            if a["evidence"] != b["evidence"]:
                codes = sorted(set(a["evidence"]) | set(b["evidence"]))
                codes = [c for c in codes if a["evidence"].get(c) != b["evidence"].get(c)]
                diffs.append((name, k + " evidence", {c: a["evidence"].get(c) for c in codes},
                              {c: b["evidence"].get(c) for c in codes}))
    return diffs


def fmt(x):
    return "%s %s: expected %s, got %s" % (x[0], x[1], json.dumps(x[2]), json.dumps(x[3]))


if __name__ == "__main__":
    d = compare(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
    for x in d:
        print(fmt(x))
    sys.exit(1 if d else 0)
