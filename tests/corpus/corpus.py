#!/usr/bin/python3
"""Read the reports corpus-test.sh wrote, compare every interfered verdict
with tests/corpus/adjudicated.tsv, print the table and the closing
"N passed, N failed" line.  Exit 1 when a check failed.

An interfered verdict is one (capture, destination, signature) whose
signature reaches the verdict threshold in a destination whose verdict is
"interfered".  Captures are named "ndpi/<file>" (nDPI 4.2 tests/pcap) and
"benign/<file>" (../shared/pcaps/benign)."""
import collections
import json
import os
import sys

MIN_CONF = 0.5


def load_adjudicated(path):
    acc = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 4 or not cols[3].strip():
                sys.exit(f"{path}:{n}: want capture<TAB>destination<TAB>signature<TAB>reason")
            acc[(cols[0], cols[1], cols[2])] = cols[3]
    return acc


def main():
    out, listfile, adjfile = sys.argv[1:4]
    adjudicated = load_adjudicated(adjfile)
    caps = []
    with open(listfile, encoding="utf-8") as fh:
        for line in fh:
            cset, path = line.rstrip("\n").split(" ", 1)
            caps.append(f"{cset}/{os.path.basename(path)}")

    passed = failed = 0
    n_dest = n_refused = 0
    interfered_dest = 0
    verdicts = []            # (capture, destination, signature)
    false_by_sig = collections.Counter()
    n_true = 0
    seen = set()
    for cap in caps:
        base = os.path.join(out, cap)
        try:
            rc = int(open(base + ".rc").read().strip())
        except (OSError, ValueError):
            rc = -1
        err = open(base + ".err", errors="replace").read().strip() if os.path.exists(base + ".err") else ""
        if rc == 2 and "unsupported link type" in err:
            # documented refusal: frames of another link type are not guessed
            n_refused += 1
            passed += 1
            continue
        if rc != 0:
            print(f"FAIL {cap}: tamperscope exit {rc}: {err.splitlines()[-1] if err else ''}")
            failed += 1
            continue
        try:
            rep = json.load(open(base + ".json"))
        except (OSError, ValueError) as e:
            print(f"FAIL {cap}: report unreadable: {e}")
            failed += 1
            continue
        bad = []
        for d in rep.get("destinations", []):
            n_dest += 1
            if d.get("verdict") != "interfered":
                continue
            interfered_dest += 1
            sigs = [s for s in d.get("signatures", []) if (s.get("confidence") or 0) >= MIN_CONF]
            types = sorted({s["type"] for s in sigs}) or ["?"]
            for t in types:
                key = (cap, d["destination"], t)
                verdicts.append(key)
                if key in adjudicated:
                    seen.add(key)
                    n_true += 1
                else:
                    ev = {}
                    for s in sigs:
                        if s["type"] == t:
                            for k, v in s.get("evidence", {}).items():
                                ev[k] = ev.get(k, 0) + v
                    bad.append(f"{d['destination']} {t} ({','.join(sorted(ev))})")
                    false_by_sig[t] += 1
        if bad:
            print(f"FAIL {cap}: interfered, not adjudicated: " + "; ".join(bad))
            failed += 1
        else:
            passed += 1

    missing = sorted(set(adjudicated) - seen)
    analysed = {c.split("/", 1)[0] for c in caps}
    for key in missing:
        if key[0].split("/", 1)[0] in analysed:
            print(f"NOTE adjudicated true verdict no longer reported (recall): {' '.join(key)}")

    print()
    print(f"{'captures':<28}{len(caps)} ({n_refused} refused: unsupported link type)")
    print(f"{'destinations':<28}{n_dest}")
    print(f"{'interfered destinations':<28}{interfered_dest}")
    print(f"{'interfered verdicts':<28}{len(verdicts)} (destination x signature)")
    print(f"{'adjudicated true':<28}{n_true}")
    print(f"{'false (not adjudicated)':<28}{len(verdicts) - n_true}")
    for t, c in sorted(false_by_sig.items()):
        print(f"{'  ' + t:<28}{c}")
    print()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
