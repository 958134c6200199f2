#!/usr/bin/python3
"""Compare tamperscope outputs for the live-capture test.

  compare.py report A.json B.json [--conf] [--dests-only]   destinations: verdicts, counts,
                                             hosts/ips, signatures (type,
                                             stage, count[, confidence])
  compare.py events A.jsonl[,A2.jsonl] B.jsonl  tamper events as multisets
  compare.py valid FILE                      a complete tamperscope report
Prints the differences; exit 0 same, 1 different."""
import collections, json, sys


def dests(path, conf):
    r = json.load(open(path))
    out = {}
    for d in r["destinations"]:
        sigs = sorted((s["type"], s["stage"], s["count"]) + ((s["confidence"],) if conf else ())
                      for s in d["signatures"])
        out[d["destination"]] = dict(verdict=d["verdict"], tcp=d["tcp"], dns=d["dns"],
                                     hosts=sorted(d["hosts"]), ips=sorted(d["ips"]),
                                     social=d["social_media"], sigs=sigs)
    cap = r["capture"]
    return out, {k: cap[k] for k in ("packets", "flows", "events")}


def events(paths):
    c = collections.Counter()
    for p in paths.split(","):
        for line in open(p):
            e = json.loads(line)
            if e.get("event_type") != "tamper":
                continue
            c[(e["signature"], e["stage"], e["destination"], e["community_id"],
               e["confidence"])] += 1
    return c


def main():
    mode = sys.argv[1]
    if mode == "valid":
        r = json.load(open(sys.argv[2]))
        ok = r.get("schema") == "tamperscope.report/1" and isinstance(r.get("destinations"), list)
        sys.exit(0 if ok else 1)
    a, b = sys.argv[2], sys.argv[3]
    bad = 0
    if mode == "report":
        conf = "--conf" in sys.argv
        (da, ca), (db, cb) = dests(a, conf), dests(b, conf)
        if ca != cb and "--dests-only" not in sys.argv:
            print("capture differs:", ca, cb); bad = 1
        for n in sorted(set(da) | set(db)):
            if da.get(n) != db.get(n):
                print("destination %s differs:\n  %s\n  %s" % (n, da.get(n), db.get(n))); bad = 1
    elif mode == "events":
        ea, eb = events(a), events(b)
        if ea != eb:
            print("events differ:\n  only first: %s\n  only second: %s" % (ea - eb, eb - ea)); bad = 1
        elif not ea:
            print("no tamper events at all"); bad = 1
    sys.exit(bad)


main()
