"""tamperscope merge: algebra (commutative, associative, canonical), schema,
and split-capture equivalence: analysing a capture cut in pieces where no
flow spans a cut, then merging, equals analysing the whole."""
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_lib import ROOT, SHARED, SCHEMA, BIN, Checks, validator  # noqa: E402

ASAN = os.path.join(ROOT, "tamperscope-asan")
T = Checks()
TMP = tempfile.mkdtemp(prefix="ts-merge-")
TRIP = os.path.join(SHARED, "pcaps/interference/tripwire_gfw_server-side_sll-vlan_youporn-wikipedia.pcap")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, timeout=300)


def analyze(cap, out):
    p = run([BIN, "analyze", "-q", "-o", out, cap])
    if p.returncode != 0:
        raise RuntimeError("analyze %s: %s" % (cap, p.stderr))
    return out


def merge(paths, binary=BIN, *opts):
    p = run([binary, "merge", "-o", "-"] + list(opts) + list(paths))
    if p.returncode != 0:
        raise RuntimeError("merge %s: rc %d %s" % (paths, p.returncode, p.stderr[-300:]))
    return json.loads(p.stdout), p.stderr


def canon(r):
    return json.dumps(r, sort_keys=True)


def save(r, name):
    p = os.path.join(TMP, name)
    with open(p, "w") as f:
        json.dump(r, f)
    return p


VALIDATOR = validator("merge")


def valid(r, what):
    if VALIDATOR is None:
        return
    errs = list(VALIDATOR.iter_errors(r))
    T.ok(not errs, "%s validates against report.schema.json (%s)" % (what, errs[0].message[:120] if errs else ""))


# ---------------------------------------------------------------- algebra
def algebra():
    if not os.path.exists(TRIP):
        T.skip("merge: %s absent (../shared): algebra over the project's own captures only" % TRIP)
    caps = [TRIP, os.path.join(ROOT, "pcaps/lab/demo.pcap"), os.path.join(ROOT, "pcaps/lab/dns_onpath_v4.pcap"),
            os.path.join(ROOT, "pcaps/lab/rst_onpath_v4.pcap"), os.path.join(ROOT, "pcaps/gen/hostile_names.pcap"),
            os.path.join(ROOT, "pcaps/lab/syn_drop_v4.pcap")]
    reps = [analyze(c, os.path.join(TMP, "r%d.json" % i)) for i, c in enumerate(caps) if os.path.exists(c)]
    A, B, C = reps[0], reps[1], reps[2]
    ab, _ = merge([A, B])
    ba, _ = merge([B, A])
    T.ok(canon(ab) == canon(ba), "merge is commutative (A+B == B+A)")
    valid(ab, "merge(A, B)")
    abc_l, _ = merge([save(ab, "ab.json"), C])
    bc, _ = merge([B, C])
    abc_r, _ = merge([A, save(bc, "bc.json")])
    abc, _ = merge([A, B, C])
    T.ok(canon(abc_l) == canon(abc_r), "merge is associative ((A+B)+C == A+(B+C))")
    T.ok(canon(abc) == canon(abc_l), "merge(A, B, C) == (A+B)+C")
    valid(abc, "merge(A, B, C)")
    outs = set()
    for perm in itertools.permutations(reps[:4]):
        outs.add(canon(merge(list(perm))[0]))
    T.ok(len(outs) == 1, "all 24 orders of 4 reports give the same merge")
    everything, _ = merge(reps)
    valid(everything, "merge of %d reports" % len(reps))
    T.ok(sorted(everything["source"]["files"]) == everything["source"]["files"]
         and len(everything["source"]["files"]) == len(reps) and len(everything["source"]["merged"]) == len(reps),
         "source: files of every input, one merged entry each")
    # idempotent verdicts / doubled counts
    aa, _ = merge([A, A])
    a = json.load(open(A))
    da = {d["destination"]: d for d in a["destinations"]}
    ok = aa["capture"]["packets"] == 2 * a["capture"]["packets"] and aa["capture"]["start"] == a["capture"]["start"]
    for d in aa["destinations"]:
        o = da[d["destination"]]
        ok &= d["verdict"] == o["verdict"] and d["tcp"]["connections"] == 2 * o["tcp"]["connections"]
        so = {(s["type"], s["stage"]): s for s in o["signatures"]}
        for s in d["signatures"]:
            t = so[(s["type"], s["stage"])]
            ok &= s["count"] == 2 * t["count"] and s["confidence"] == t["confidence"]
            ok &= all(s["evidence"][k] == 2 * v for k, v in t["evidence"].items())
            ok &= len(s["examples"]) <= 5 and set(s["examples"]) <= set(t["examples"])
    T.ok(ok and len(aa["destinations"]) == len(a["destinations"]), "merge(A, A): counts double, verdicts/confidence kept")
    # sort order
    def key(d):
        return (not d["social_media"], d["verdict"] != "interfered", -d["tcp"]["connections"], d["destination"])
    T.ok([key(d) for d in everything["destinations"]] == sorted(key(d) for d in everything["destinations"]),
         "destinations sorted: social media, interfered, connections, name")
    # threshold
    hi, _ = merge([A, B], BIN, "--min-confidence", "0.99")
    T.ok(all(d["verdict"] != "interfered" for d in hi["destinations"]), "--min-confidence 0.99 recomputes verdicts")
    # ASan build: same bytes, clean
    if os.access(ASAN, os.X_OK):
        p = run([ASAN, "merge", "-o", "-"] + reps)
        T.ok(p.returncode == 0 and json.loads(p.stdout) == everything and b"AddressSanitizer" not in p.stderr
             and b"runtime error" not in p.stderr, "ASan merge: clean and identical")
    else:
        T.skip("merge: tamperscope-asan not built")
    # bad inputs
    bad = save({"schema": "nope"}, "bad.json")
    T.ok(run([BIN, "merge", A, bad]).returncode == 2, "merge: invalid input -> exit 2")
    T.ok(run([BIN, "merge"]).returncode == 1, "merge: no input -> exit 1")
    p = run([BIN, "merge", "--format", "html", "-o", os.path.join(TMP, "m.html"), A, B])
    T.ok(p.returncode == 0 and "<svg" in open(os.path.join(TMP, "m.html")).read(), "merge --format html")


# ------------------------------------------------------------ split tests
def frames(cap):
    """[(frame number, stream key or None)] via tshark."""
    p = subprocess.run(["tshark", "-r", cap, "-T", "fields", "-e", "frame.number", "-e", "tcp.stream",
                        "-e", "udp.stream"], capture_output=True, text=True, timeout=300)
    out = []
    for line in p.stdout.splitlines():
        f = line.split("\t")
        key = ("t" + f[1].split(",")[0]) if len(f) > 1 and f[1] else ("u" + f[2].split(",")[0]) if len(f) > 2 and f[2] else None
        out.append((int(f[0]), key))
    return out


def clean_cuts(cap):
    """Frame numbers k such that no TCP/UDP stream has frames both <= k and > k."""
    fr = frames(cap)
    first, last = {}, {}
    for i, k in fr:
        if k:
            first.setdefault(k, i)
            last[k] = i
    n = len(fr)
    delta = [0] * (n + 2)
    for k in first:
        if last[k] > first[k]:
            delta[first[k]] += 1
            delta[last[k]] -= 1
    cuts, open_ = [], 0
    for k in range(1, n):
        open_ += delta[k]
        if open_ == 0:
            cuts.append(k)
    return n, cuts


def split(cap, bounds, n, tag):
    parts, lo = [], 1
    for i, hi in enumerate(list(bounds) + [n]):
        out = os.path.join(TMP, "%s.%d.pcap" % (tag, i))
        subprocess.run(["editcap", "-r", cap, out, "%d-%d" % (lo, hi)], check=True, capture_output=True)
        parts.append(out)
        lo = hi + 1
    return parts


def summary(r, exact):
    d = {}
    for x in r["destinations"]:
        sigs = []
        for s in x["signatures"]:
            t = (s["type"], s["stage"] or "", s["count"])
            if exact:
                t += (s["confidence"], tuple(sorted(s["evidence"].items())), s["first_seen"], s["last_seen"])
            sigs.append(t)
        tl = tuple((b["hour"], b["events"], tuple(sorted(b["signatures"].items()))) for b in x.get("timeline") or [])
        d[x["destination"]] = (x["verdict"], tuple(sorted(x["tcp"].items())), tuple(sorted(x["dns"].items())),
                               tuple(sorted((x.get("udp") or {}).items())), tuple(sorted(sigs)),
                               x["first_seen"], x["last_seen"], tl if exact else ())
    return d


CAPFIELDS = ("packets", "bytes", "flows", "malformed", "start", "end", "events", "non_ip", "fragments")


def split_case(cap, nparts, exact, note):
    name = os.path.basename(cap)
    if not os.path.exists(cap):
        T.skip("merge: %s missing" % cap)
        return
    n, cuts = clean_cuts(cap)
    mid = [k for k in cuts if n * 0.2 < k < n * 0.8]
    if len(mid) < nparts - 1:
        T.ok(False, "%s: no clean cut points" % name)
        return
    step = len(mid) // nparts
    bounds = [mid[step * (i + 1) - 1] if step else mid[i] for i in range(nparts - 1)]
    parts = split(cap, bounds, n, name)
    whole = json.load(open(analyze(cap, os.path.join(TMP, name + ".whole.json"))))
    reps = [analyze(p, p + ".json") for p in parts]
    m, _ = merge(reps)
    valid(m, "%s split merge" % name)
    ws, ms = summary(whole, exact), summary(m, exact)
    diff = sorted(k for k in set(ws) | set(ms) if ws.get(k) != ms.get(k))
    T.ok(not diff, "%s cut at %s (%d parts%s): merged == whole for %s; differing: %s" % (
        name, bounds, nparts, note, "counts, verdicts, signatures, evidence, confidence, times, timeline"
        if exact else "counts, verdicts, signature counts", diff[:3]))
    cd = [k for k in CAPFIELDS if whole["capture"].get(k) != m["capture"].get(k)]
    T.ok(not cd, "%s: capture counters/start/end equal (%s)" % (name, cd))
    T.ok([d["destination"] for d in m["destinations"]] == [d["destination"] for d in whole["destinations"]],
         "%s: destination order equal" % name)
    print("INFO split %s at frames %s of %d: %d destinations, %d interfered, equal" % (
        name, bounds, n, len(ws), sum(1 for v in ws.values() if v[0] == "interfered")))


def splits():
    if not shutil.which("tshark") or not shutil.which("editcap"):
        print("SKIP merge split tests: tshark/editcap not installed")
        return
    # exact: no state crosses these cuts (per-flow evidence only, names from SNI/Host)
    split_case(TRIP, 2, True, "")
    split_case(TRIP, 3, True, "")
    split_case(os.path.join(ROOT, "pcaps/lab/rst_onpath_v4.pcap"), 2, True, "")
    split_case(os.path.join(ROOT, "pcaps/lab/benign_v4.pcap"), 2, True, "")
    # DNS: TTL / round-trip baselines are learned across transactions, so a
    # cut changes which evidence codes (and thus confidence) back each
    # event; counts and verdicts must still agree.
    split_case(os.path.join(ROOT, "pcaps/lab/dns_onpath_v4.pcap"), 2, False, ", cross-transaction baselines")


algebra()
splits()
shutil.rmtree(TMP, ignore_errors=True)
T.done()
