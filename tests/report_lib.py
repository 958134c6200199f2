"""Shared helpers for the Python test scripts (run with /usr/bin/python3)."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
SCHEMA = os.path.join(SHARED, "report.schema.json")
BIN = os.environ.get("TAMPERSCOPE", os.path.join(ROOT, "tamperscope"))


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, cond, desc):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL " + desc)
        return cond

    def skip(self, desc):
        print("SKIP " + desc)

    def done(self):
        print("RESULT %d %d" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def analyze(paths, *opts, events=False):
    """Run the analyzer; returns (report, events list, rc, stderr)."""
    if isinstance(paths, str):
        paths = [paths]
    cmd = [BIN, "analyze", "-q", "-o", "-"] + list(opts)
    if events:
        cmd += ["-e", "/dev/stderr"]
    p = subprocess.run(cmd + paths, capture_output=True, text=True, timeout=300)
    rep = json.loads(p.stdout) if p.stdout.strip() else None
    evs = []
    err = p.stderr
    if events:
        rest = []
        for line in p.stderr.splitlines():
            if line.startswith("{"):
                evs.append(json.loads(line))
            else:
                rest.append(line)
        err = "\n".join(rest)
    return rep, evs, p.returncode, err


_validator = None


def schema_errors(report):
    """List of schema violations (empty if valid, or if no schema)."""
    global _validator
    if not os.path.exists(SCHEMA):
        return []
    if _validator is None:
        import jsonschema
        with open(SCHEMA) as f:
            _validator = jsonschema.Draft7Validator(json.load(f))
    return ["%s: %s" % ("/".join(map(str, e.path)), e.message)
            for e in _validator.iter_errors(report)]


def dest(report, name):
    for d in report["destinations"]:
        if d["destination"] == name:
            return d
    return None


def sigs(d, typ=None):
    if not d:
        return []
    return [s for s in d["signatures"] if typ is None or s["type"] == typ]
