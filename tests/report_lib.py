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
_no_validator = None


def validator(who="schema"):
    """A Draft 7 validator for ../shared/report.schema.json, or None when
    the schema (../shared) or python3-jsonschema is missing: then one
    "SKIP who: why" line is printed (once per process), so a suite never
    passes schema checks it did not make."""
    global _validator, _no_validator
    if _validator is None and _no_validator is None:
        if not os.path.exists(SCHEMA):
            _no_validator = "%s absent (../shared not beside the checkout), reports not validated" % SCHEMA
        else:
            try:
                import jsonschema
                with open(SCHEMA) as f:
                    _validator = jsonschema.Draft7Validator(json.load(f))
            except ImportError:
                _no_validator = "python3-jsonschema missing (tools/install-deps.sh), reports not validated"
        if _no_validator:
            print("SKIP %s: %s" % (who, _no_validator))
    return _validator


def schema_errors(report):
    """List of schema violations (empty if valid); None when there is no
    validator (see validator(): a SKIP line says why)."""
    v = validator()
    if v is None:
        return None
    return ["%s: %s" % ("/".join(map(str, e.path)), e.message)
            for e in v.iter_errors(report)]


def dest(report, name):
    for d in report["destinations"]:
        if d["destination"] == name:
            return d
    return None


def sigs(d, typ=None):
    if not d:
        return []
    return [s for s in d["signatures"] if typ is None or s["type"] == typ]
