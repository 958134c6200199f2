#!/usr/bin/python3
"""Compare tamperscope reports with lab ground truth.

  check.py --report R.json --truth T.json [--tolerance 0.05] [--schema S.json]
  check.py --pair R1.json T1.json --pair R2.json T2.json ... [--tolerance T]
  check.py --aggregate REPORT_DIR TRUTH_DIR [--tolerance T]
           (pairs TRUTH_DIR/X.truth.json with REPORT_DIR/X.json or X.report.json)

One check = one PASS/FAIL line:
  * every truth-interfered destination is "interfered" in the report;
  * for each of its truth signatures: the type is reported, the count is within
    tolerance (|report - truth| <= tolerance * truth), the stage matches;
  * it carries no other signature type with confidence >= 0.5;
  * every truth-clean destination is not "interfered";
  * every report-interfered destination exists in the truth (no false positive);
  * with --schema: the report validates against the JSON Schema.
A truth destination with a "pending" reason (a detector not built yet) is
checked quietly: when any of its checks would fail, one line
"SKIP <scenario>: <destination> <verdict> pending: <reason> (report: ...)" is
printed instead and not counted as a failure.  Every other destination of
that capture (clean controls, benign traps) is checked as usual, and an
interfered verdict on a destination missing from the truth still fails.
Destination keys: lowercased names, trailing dot removed, IP literals
normalised; a truth key missing from the report's "destination" fields is also
looked up in its "hosts" and "ips" lists.
Prints a summary (destination precision/recall, evidence-code hit table) and
"RESULT <passed> <failed>" as its last line; exit 1 when a check failed.
"""
import argparse, collections, contextlib, glob, io, ipaddress, json, os, sys


def describe(r):
    if not r:
        return "absent"
    sigs = ", ".join("%s/%s/%s" % (s.get("type", "?"), s.get("stage"), s.get("count"))
                     for s in r.get("signatures", []))
    return (r.get("verdict") or "?") + (": " + sigs if sigs else "")


def norm(k):
    k = (k or "").strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(k.strip("[]")))
    except ValueError:
        return k


class Checker:
    def __init__(self, tol):
        self.tol = tol
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.tp = self.fp = self.fn = self.tn = 0
        self.ev_expected = collections.Counter()   # (sig, code) -> truth expected
        self.ev_hit = collections.Counter()        # (sig, code) -> report had it
        self.ev_extra = collections.Counter()      # (sig, code) reported, not expected
        self.sig_count = collections.Counter()     # sig -> truth count
        self.sig_found = collections.Counter()     # sig -> reported in place

    def ok(self, cond, msg):
        if cond:
            self.passed += 1
            print("PASS " + msg)
        else:
            self.failed += 1
            print("FAIL " + msg)
        return cond

    def run(self, report_path, truth_path, schema=None):
        name = os.path.basename(truth_path).replace(".truth.json", "")
        truth = json.load(open(truth_path))
        try:
            report = json.load(open(report_path))
        except (OSError, ValueError) as e:
            self.ok(False, "%s: report %s unreadable: %s" % (name, report_path, e))
            return
        if schema:
            try:
                import jsonschema
                jsonschema.validate(report, json.load(open(schema)))
                self.ok(True, "%s: report valid against schema" % name)
            except ImportError:
                print("SKIP %s: python3-jsonschema missing" % name)
            except Exception as e:
                self.ok(False, "%s: schema: %s" % (name, str(e).splitlines()[0]))
        rdest = {}
        alias = {}
        for d in report.get("destinations", []):
            k = norm(d.get("destination"))
            rdest[k] = d
            for h in d.get("hosts", []) or []:
                alias.setdefault(norm(h), k)
            for ip in d.get("ips", []) or []:
                alias.setdefault(norm(ip), k)
        used = set()

        def find(k):
            k = norm(k)
            if k in rdest:
                return k, rdest[k]
            if k in alias:
                return alias[k], rdest[alias[k]]
            return None, None

        for tkey, t in truth["destinations"].items():
            if t.get("pending"):
                # a detector that does not exist yet: run the checks quietly;
                # report SKIP (never FAIL) unless they all pass already
                inner = Checker(self.tol)
                buf = io.StringIO()
                with contextlib.redirect_stdout(buf):
                    inner.check_dest(name, tkey, t, find, used)
                rep = find(tkey)[1]
                if inner.failed:
                    # pending: kept out of precision / recall and the hit table
                    self.skipped += 1
                    print("SKIP %s: %s %s pending: %s (report: %s)" % (
                        name, tkey, t["verdict"], t["pending"], describe(rep)))
                else:
                    self.merge_counts(inner)
                    self.passed += inner.passed
                    print(buf.getvalue().rstrip("\n"))
                continue
            self.check_dest(name, tkey, t, find, used)
        for rk, r in rdest.items():
            if rk in used or r.get("verdict") != "interfered":
                continue
            self.fp += 1
            self.ok(False, "%s: %s interfered in report but not in truth (%s)" % (
                name, rk, ", ".join(s.get("type", "?") for s in r.get("signatures", []))))

    def merge_counts(self, o):
        for f in ("tp", "fp", "fn", "tn"):
            setattr(self, f, getattr(self, f) + getattr(o, f))
        for f in ("ev_expected", "ev_hit", "ev_extra", "sig_count", "sig_found"):
            getattr(self, f).update(getattr(o, f))

    def check_dest(self, name, tkey, t, find, used):
        if True:
            rk, r = find(tkey)
            if rk:
                used.add(rk)
            via = "" if rk is None or rk == norm(tkey) else " (as %s)" % rk
            verdict = r.get("verdict") if r else None
            if t["verdict"] != "interfered":
                if verdict == "interfered":
                    self.fp += 1
                else:
                    self.tn += 1
                sigs = ", ".join(s.get("type", "?") for s in (r or {}).get("signatures", []))
                self.ok(verdict != "interfered", "%s: %s clean%s (report: %s%s)" % (
                    name, tkey, via, verdict or "absent", ": " + sigs if sigs and verdict == "interfered" else ""))
                return
            hit = verdict == "interfered"
            self.tp += hit
            self.fn += not hit
            self.ok(hit, "%s: %s interfered%s (report: %s)" % (name, tkey, via, verdict or "absent"))
            rs = collections.defaultdict(list)
            for s in (r or {}).get("signatures", []):
                rs[s.get("type")].append(s)
            for sig, ts in t.get("signatures", {}).items():
                want = ts.get("connections", 0)
                self.sig_count[sig] += 1
                got = rs.get(sig, [])
                if not self.ok(bool(got), "%s: %s signature %s reported" % (name, tkey, sig)):
                    for code in ts.get("evidence", []):
                        self.ev_expected[(sig, code)] += 1
                    continue
                self.sig_found[sig] += 1
                n = sum(int(s.get("count", 0)) for s in got)
                slack = self.tol * want
                self.ok(abs(n - want) <= slack + 1e-9, "%s: %s %s count %d, truth %d (tolerance %g)" % (
                    name, tkey, sig, n, want, self.tol))
                if ts.get("stage"):
                    main = max(got, key=lambda s: int(s.get("count", 0)))
                    self.ok(main.get("stage") == ts["stage"], "%s: %s %s stage %s, truth %s" % (
                        name, tkey, sig, main.get("stage"), ts["stage"]))
                ev = collections.Counter()
                for s in got:
                    for code, v in (s.get("evidence") or {}).items():
                        if v:
                            ev[code] += 1
                for code in ts.get("evidence", []):
                    self.ev_expected[(sig, code)] += 1
                    if ev.get(code):
                        self.ev_hit[(sig, code)] += 1
                for code in ev:
                    if code not in ts.get("evidence", []):
                        self.ev_extra[(sig, code)] += 1
            extra = sorted(k for k, v in rs.items() if k not in t.get("signatures", {})
                           and any(float(s.get("confidence", 1)) >= 0.5 for s in v))
            self.ok(not extra, "%s: %s no unexpected signatures%s" % (
                name, tkey, (" (report: %s)" % ", ".join(extra)) if extra else ""))

    def summary(self):
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        rc = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        print("destinations: tp=%d fp=%d fn=%d tn=%d precision=%.3f recall=%.3f" % (
            self.tp, self.fp, self.fn, self.tn, p, rc))
        if self.sig_count:
            print("signatures (truth destinations / reported): " + ", ".join(
                "%s %d/%d" % (s, self.sig_count[s], self.sig_found[s]) for s in sorted(self.sig_count)))
        if self.ev_expected or self.ev_extra:
            print("evidence hit table (signature code: expected-by-construction hit/total; extra = reported, not expected):")
            for key in sorted(set(self.ev_expected) | set(self.ev_extra)):
                print("  %-16s %-18s %3d/%-3d%s" % (key[0], key[1], self.ev_hit[key], self.ev_expected[key],
                                                    ("  extra %d" % self.ev_extra[key]) if self.ev_extra[key] else ""))
        if self.skipped:
            print("skipped (pending detectors): %d" % self.skipped)
        print("RESULT %d %d" % (self.passed, self.failed))
        return self.failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report")
    ap.add_argument("--truth")
    ap.add_argument("--pair", nargs=2, action="append", default=[], metavar=("REPORT", "TRUTH"))
    ap.add_argument("--aggregate", nargs=2, metavar=("REPORT_DIR", "TRUTH_DIR"))
    ap.add_argument("--tolerance", type=float, default=0.05)
    ap.add_argument("--schema")
    a = ap.parse_args()
    pairs = list(a.pair)
    if a.report or a.truth:
        if not (a.report and a.truth):
            ap.error("--report and --truth go together")
        pairs.append((a.report, a.truth))
    if a.aggregate:
        rdir, tdir = a.aggregate
        for t in sorted(glob.glob(os.path.join(tdir, "*.truth.json"))):
            base = os.path.basename(t)[:-len(".truth.json")]
            r = os.path.join(rdir, base + ".json")
            if not os.path.exists(r):
                r = os.path.join(rdir, base + ".report.json")
            pairs.append((r, t))
    if not pairs:
        ap.error("nothing to check")
    c = Checker(a.tolerance)
    for r, t in pairs:
        c.run(r, t, a.schema)
    sys.exit(0 if c.summary() else 1)


if __name__ == "__main__":
    main()
