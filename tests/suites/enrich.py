"""Enrichment: --asn-db / --geo-db (libmaxminddb, tiny .mmdb files built
here with Debian's MaxMind::DB::Writer), --psl / --psl-group (libpsl)."""
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
TMP = tempfile.mkdtemp(prefix="ts-enrich-")
TRIP = os.path.join(SHARED, "pcaps/interference/tripwire_gfw_server-side_sll-vlan_youporn-wikipedia.pcap")
DEMO = os.path.join(ROOT, "pcaps/lab/demo.pcap")
V6 = os.path.join(ROOT, "pcaps/lab/benign_v6.pcap")

VALIDATOR = validator("enrich")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, timeout=300)


def analyze(cap, *opts, binary=BIN):
    p = run([binary, "analyze", "-q", "-o", "-"] + list(opts) + [cap])
    T.ok(p.returncode == 0, "analyze %s %s (rc %d %s)" % (os.path.basename(cap), " ".join(opts)[-60:],
                                                          p.returncode, p.stderr[-200:]))
    return json.loads(p.stdout) if p.returncode == 0 else {"destinations": []}


def by_name(r):
    return {d["destination"]: d for d in r["destinations"]}


ASN = os.path.join(TMP, "asn.mmdb")
GEO = os.path.join(TMP, "geo.mmdb")
mk = [run(["perl", os.path.join(ROOT, "tests/tools/mkmmdb.pl"), k, f]) for k, f in (("asn", ASN), ("geo", GEO))]
HAVE_DB = all(p.returncode == 0 for p in mk)
if not HAVE_DB:
    print("SKIP enrich mmdb: libmaxmind-db-writer-perl not installed (%s)" % mk[0].stderr[-120:].decode("utf-8", "replace"))

HAVE_TRIP = os.path.exists(TRIP)
if HAVE_DB and not HAVE_TRIP:
    print("SKIP enrich: %s absent (../shared), the tripwire enrichment checks not run" % TRIP)
if HAVE_DB and HAVE_TRIP:
    r = analyze(TRIP, "--asn-db", ASN, "--geo-db", GEO, "--psl")
    d = by_name(r)
    T.ok(all(x.get("asn") == 13335 and x.get("as_org") == "CLOUDFLARENET" and x.get("country") == "US"
             for x in r["destinations"]) and r["destinations"], "tripwire: every destination AS13335 CLOUDFLARENET US")
    T.ok(d["www.wikipedia.org"].get("registrable_domain") == "wikipedia.org"
         and d["youporn.com"].get("registrable_domain") == "youporn.com", "psl: registrable_domain")
    T.ok("registrable_domain" not in d["104.17.210.9"] and "registrable_domain" not in d["cloudflare"],
         "psl: no registrable_domain for IP literals / bare service names")
    if VALIDATOR:
        T.ok(not list(VALIDATOR.iter_errors(r)), "enriched report validates")
    plain = analyze(TRIP)
    strip = json.loads(json.dumps(r))
    for x in strip["destinations"]:
        for k in ("asn", "as_org", "country", "registrable_domain"):
            x.pop(k, None)
    T.ok(strip == plain, "enrichment only adds fields")

if HAVE_DB:
    r = analyze(DEMO, "--asn-db", ASN, "--geo-db", GEO)
    d = by_name(r)
    T.ok(d["twitter.com"].get("asn") == 64500 and d["twitter.com"].get("as_org") == 'TS-LAB-1 <b>&amp;"</b>'
         and d["twitter.com"].get("country") == "NL", "demo: 198.18.1.10 -> AS64500, NL")
    T.ok(d["instagram.com"].get("asn") == 64501 and d["instagram.com"].get("country") == "FR",
         "demo: 198.18.1.12 (a /32 inside the /24) -> AS64501, registered_country fallback (FR)")
    T.ok("asn" not in d["www.facebook.com"],
         "demo: www.facebook.com lists no IP (its only other address was forged), so no enrichment")
    r6 = analyze(V6, "--asn-db", ASN, "--geo-db", GEO)
    T.ok(r6["destinations"] and all(x.get("asn") == 64502 and x.get("country") == "JP" for x in r6["destinations"]),
         "IPv6 destinations enriched (AS64502, JP)")
    only_asn = analyze(DEMO, "--asn-db", ASN)
    T.ok(all("country" not in x for x in only_asn["destinations"])
         and by_name(only_asn)["twitter.com"].get("asn") == 64500, "--asn-db alone adds no country")

    # report / merge apply the same enrichment to an existing report
    plain_demo = os.path.join(TMP, "demo.json")
    run([BIN, "analyze", "-q", "-o", plain_demo, DEMO])
    p = run([BIN, "report", "--format", "json", "--asn-db", ASN, "--geo-db", GEO, plain_demo])
    T.ok(p.returncode == 0 and json.loads(p.stdout) == r, "report --asn-db/--geo-db == analyze --asn-db/--geo-db")
    p = run([BIN, "report", "--format", "html", "--asn-db", ASN, plain_demo])
    html = p.stdout.decode()
    T.ok(p.returncode == 0 and "AS64500 TS-LAB-1 &lt;b&gt;&amp;amp;&quot;&lt;/b&gt;" in html,
         "HTML shows AS number and the escaped AS organisation")
    p = run([BIN, "merge", "--asn-db", ASN, plain_demo, plain_demo])
    T.ok(p.returncode == 0 and by_name(json.loads(p.stdout))["twitter.com"].get("asn") == 64500, "merge --asn-db")

    # injectors: from their address field when they have one
    syn = {"schema": "tamperscope.report/1", "generator": {"name": "tamperscope", "version": "t"},
           "source": {"files": ["x"]}, "capture": {"packets": 0, "bytes": 0, "flows": 0, "malformed": 0},
           "destinations": [],
           "injectors": [{"id": "a", "ip": "104.17.1.1"}, {"id": "b", "ips": ["2001:db8:1::9"]},
                         {"id": "c", "destinations": ["x"]}]}
    sp = os.path.join(TMP, "syn.json")
    json.dump(syn, open(sp, "w"))
    p = run([BIN, "report", "--format", "json", "--asn-db", ASN, "--geo-db", GEO, sp])
    inj = json.loads(p.stdout)["injectors"] if p.returncode == 0 else []
    T.ok(len(inj) == 3 and inj[0].get("asn") == 13335 and inj[0].get("country") == "US"
         and inj[1].get("asn") == 64502 and "asn" not in inj[2], "injectors enriched from ip / ips")

    # errors
    T.ok(run([BIN, "analyze", "-q", "--asn-db", os.path.join(TMP, "missing.mmdb"), DEMO]).returncode == 2,
         "missing database -> exit 2")
    junk = os.path.join(TMP, "junk.mmdb")
    open(junk, "wb").write(b"not a maxmind db" * 64)
    p = run([BIN, "analyze", "-q", "--geo-db", junk, DEMO])
    T.ok(p.returncode == 2 and b"junk.mmdb" in p.stderr, "invalid database -> exit 2 with the file name")
    T.ok(run([BIN, "report", "--asn-db", junk, plain_demo]).returncode == 2, "report: invalid database -> exit 2")
    if os.access(ASAN, os.X_OK):
        cap = TRIP if HAVE_TRIP else DEMO
        ra = analyze(cap, "--asn-db", ASN, "--geo-db", GEO, "--psl", binary=ASAN)
        T.ok(ra == analyze(cap, "--asn-db", ASN, "--geo-db", GEO, "--psl"), "ASan build: same enriched report")
        p = run([ASAN, "analyze", "-q", "-o", "/dev/null", "--geo-db", junk, DEMO])
        T.ok(p.returncode == 2 and b"AddressSanitizer" not in p.stderr, "ASan build: invalid database handled")

# --psl-group (no database needed)
mk_dest = lambda name, conns, sig=None: {  # noqa: E731
    "destination": name, "hosts": [name], "ips": [], "service": None, "social_media": False, "verdict": "clean",
    "tcp": {"connections": conns, "established": conns, "genuine_rst": 0, "refused": 0, "inconclusive": 0},
    "dns": {"queries": 1, "responses": 1}, "signatures": [sig] if sig else [],
    "first_seen": "2026-01-01T00:00:00.000000Z", "last_seen": "2026-01-01T00:00:01.000000Z"}
sig = {"type": "rst_injection", "stage": "post_psh", "count": 2, "confidence": 0.84, "evidence": {"seq_race": 2},
       "first_seen": "2026-01-01T00:00:00.500000Z", "last_seen": "2026-01-01T00:00:00.600000Z", "examples": ["1:x"]}
rep = {"schema": "tamperscope.report/1", "generator": {"name": "tamperscope", "version": "t"},
       "source": {"files": ["x"]}, "capture": {"packets": 0, "bytes": 0, "flows": 0, "malformed": 0},
       "destinations": [mk_dest("www.example.com", 3), mk_dest("api.example.com", 2, sig),
                        mk_dest("a.b.example.co.uk", 1), mk_dest("example.co.uk", 1), mk_dest("198.51.100.1", 4)]}
rp = os.path.join(TMP, "group.json")
json.dump(rep, open(rp, "w"))
p = run([BIN, "report", "--format", "json", "--psl", rp])
g = by_name(json.loads(p.stdout)) if p.returncode == 0 else {}
T.ok(g.get("a.b.example.co.uk", {}).get("registrable_domain") == "example.co.uk"
     and g.get("www.example.com", {}).get("registrable_domain") == "example.com", "psl knows co.uk")
p = run([BIN, "report", "--format", "json", "--psl-group", rp])
out = json.loads(p.stdout) if p.returncode == 0 else {"destinations": []}
g = by_name(out)
T.ok(sorted(g) == ["198.51.100.1", "example.co.uk", "example.com"], "--psl-group: grouped names %s" % sorted(g))
e = g.get("example.com", {})
T.ok(e.get("tcp", {}).get("connections") == 5 and e.get("verdict") == "interfered"
     and sorted(e.get("hosts", [])) == ["api.example.com", "www.example.com"]
     and e.get("signatures", [{}])[0].get("count") == 2, "--psl-group: counts add, verdict recomputed, hosts kept")
T.ok(g.get("example.co.uk", {}).get("tcp", {}).get("connections") == 2, "--psl-group: example.co.uk groups 2")
T.ok([d["destination"] for d in out["destinations"]][0] == "example.com", "--psl-group: interfered first")
if VALIDATOR:
    T.ok(not list(VALIDATOR.iter_errors(out)), "--psl-group output validates")

shutil.rmtree(TMP, ignore_errors=True)
T.done()
