#!/usr/bin/python3
"""Golden report tests.  `golden.py check` compares each report with
tests/golden/NAME.json field by field; `golden.py update` rewrites the
expected files (deliberately, from `make golden-update`)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_lib import Checks, analyze, schema_errors, ROOT, SHARED  # noqa

HERE = os.path.dirname(os.path.abspath(__file__))


def cases():
    with open(os.path.join(HERE, "TESTLIST")) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            path = w[1]
            if path.startswith("shared/"):
                path = os.path.join(SHARED, "pcaps", path[len("shared/"):])
            else:
                path = os.path.join(ROOT, path)
            yield w[0], path, w[1], w[2:]


def normal(rep, label):
    rep = json.loads(json.dumps(rep))
    rep["generator"]["version"] = "*"
    rep["source"]["files"] = [label]
    return rep


def diff(a, b, path, out):
    if type(a) != type(b):
        out.append("%s: expected %r, got %r" % (path, a, b))
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in b:
                out.append("%s.%s: missing" % (path, k))
            elif k not in a:
                out.append("%s.%s: unexpected %r" % (path, k, b[k]))
            else:
                diff(a[k], b[k], path + "." + k, out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append("%s: %d items expected, got %d" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            key = x.get("destination", i) if isinstance(x, dict) else i
            diff(x, y, "%s[%s]" % (path, key), out)
    elif a != b:
        out.append("%s: expected %r, got %r" % (path, a, b))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    c = Checks()
    for name, path, label, opts in cases():
        exp_path = os.path.join(HERE, name + ".json")
        if not os.path.exists(path):
            c.skip("golden %s: %s absent" % (name, label))
            continue
        rep, _, rc, err = analyze(path, *opts)
        if not c.ok(rc == 0 and rep is not None, "golden %s: exit %d %s" % (name, rc, err[:200])):
            continue
        errs = schema_errors(rep)
        if errs is not None:
            c.ok(not errs, "golden %s: schema %s" % (name, errs[:3]))
        got = normal(rep, label)
        if mode == "update":
            with open(exp_path, "w") as f:
                json.dump(got, f, indent=2, sort_keys=True)
                f.write("\n")
            print("updated %s" % exp_path)
            continue
        if not c.ok(os.path.exists(exp_path), "golden %s: no expected file (make golden-update)" % name):
            continue
        with open(exp_path) as f:
            exp = json.load(f)
        out = []
        diff(exp, got, name, out)
        for line in out[:15]:
            print("  " + line)
        c.ok(not out, "golden %s: %d field(s) differ" % (name, len(out)))
    c.done()


main()
