"""report / --html: renderers, self-containment, escaping, and the page in
real headless Chromium (console errors, DOM structure, screenshot)."""
import glob
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_lib import ROOT, SHARED, SCHEMA, BIN, Checks, validator as shared_validator  # noqa: E402

ASAN = os.path.join(ROOT, "tamperscope-asan")
T = Checks()
TMP = tempfile.mkdtemp(prefix="ts-html-")
OUTDIR = os.path.join(ROOT, "tests", "out", "report_html")
os.makedirs(OUTDIR, exist_ok=True)

CAPTURES = [
    os.path.join(SHARED, "pcaps/interference/tripwire_gfw_server-side_sll-vlan_youporn-wikipedia.pcap"),
    os.path.join(ROOT, "pcaps/gen/hostile_names.pcap"),
    os.path.join(ROOT, "pcaps/lab/demo.pcap"),
    os.path.join(ROOT, "pcaps/lab/dns_onpath_v4.pcap"),
    os.path.join(SHARED, "pcaps/weird/zeek_empty.pcap"),
]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=300, **kw)


def validator():
    return shared_validator("report_html")


class Dom(html.parser.HTMLParser):
    """Minimal DOM summary: tags with attributes and text per element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elems = []          # (tag, attrs dict, path)
        self.stack = []
        self.text = {}           # id(elem index) -> text
        self.capture = []        # indexes of open elements collecting text

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        idx = len(self.elems)
        self.elems.append((tag, a, tuple(t for t, _ in self.stack)))
        if tag in ("meta", "br", "link", "img", "input", "hr", "path", "line", "rect", "circle"):
            return
        self.stack.append((tag, idx))
        self.text[idx] = ""

    def handle_startendtag(self, tag, attrs):
        self.elems.append((tag, dict(attrs), tuple(t for t, _ in self.stack)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        for _, idx in self.stack:
            self.text[idx] += data

    def find(self, tag=None, cls=None, **attrs):
        out = []
        for i, (t, a, path) in enumerate(self.elems):
            if tag and t != tag:
                continue
            if cls and cls not in (a.get("class") or "").split():
                continue
            if any(a.get(k) != v for k, v in attrs.items()):
                continue
            out.append(i)
        return out


def chromium_bin():
    for b in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(b)
        if p:
            return p
    return None


def chromium(page, *args):
    """Run headless Chromium on page; returns (stdout, console lines)."""
    prof = tempfile.mkdtemp(prefix="ts-chr-", dir=TMP)
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--user-data-dir=" + prof, "--enable-logging=stderr", "--v=0"] + list(args) + \
          ["file://" + os.path.abspath(page)]
    env = dict(os.environ, HOME=prof)
    p = subprocess.run(cmd, capture_output=True, timeout=120, env=env)
    err = p.stderr.decode("utf-8", "replace")
    console = [l for l in err.splitlines() if ":CONSOLE" in l or "Uncaught" in l]
    return p.stdout.decode("utf-8", "replace"), console


def embedded_json(page_text):
    m = re.search(r'<script type="application/json" id="tamperscope-report">(.*?)</script>',
                  page_text, re.S)
    return json.loads(m.group(1)) if m else None


def static_checks(name, text, report):
    # no executable script, nothing external
    scripts = re.findall(r"<script\b[^>]*>", text, re.I)
    T.ok(scripts == ['<script type="application/json" id="tamperscope-report">'],
         "%s: only the JSON data block is a <script> (%r)" % (name, scripts))
    T.ok(text.lower().count("</script") == 1, "%s: exactly one </script>" % name)
    urls = set(re.findall(r"\b(?:https?|ftp|wss?)://[^\s\"'<>)]*", text)) - {"http://www.w3.org/2000/svg"}
    # wire-derived names never form a URL here, but be exact: strip the data block
    body = re.sub(r'<script type="application/json".*?</script>', "", text, flags=re.S)
    urls_body = set(re.findall(r"\b(?:https?|ftp|wss?)://[^\s\"'<>)]*", body)) - {"http://www.w3.org/2000/svg"}
    T.ok(not urls_body, "%s: no URL outside the data block (%s)" % (name, sorted(urls_body)[:3]))
    T.ok(not re.search(r"<[^>]*\s(src|href|srcset|action|formaction|xlink:href|on[a-z]+)\s*=", body, re.I),
         "%s: no src/href attributes" % name)
    T.ok(not re.search(r"@import|url\(|@font-face", body, re.I), "%s: no CSS fetches" % name)
    T.ok("Content-Security-Policy" in text and "default-src 'none'" in text, "%s: CSP default-src none" % name)
    j = embedded_json(text)
    T.ok(j == report, "%s: embedded JSON equals the report" % name)
    blk = re.search(r'id="tamperscope-report">(.*?)</script>', text, re.S)
    T.ok(blk is not None and "<" not in blk.group(1) and ">" not in blk.group(1) and "&" not in blk.group(1),
         "%s: data block has < > & escaped" % name)
    del urls


def dom_checks(name, dom_text, report):
    d = Dom()
    d.feed(dom_text)
    dests = report["destinations"]
    rows = d.find("tr", "dest")
    T.ok(len(rows) == len(dests), "%s: %d table rows for %d destinations" % (name, len(rows), len(dests)))
    # row order, verdict badge, social flag, the name text exactly
    names = [d.text[i] for i in d.find("div", "dname")]
    T.ok(names == [x["destination"] for x in dests],
         "%s: destination cells show the exact names (%r)" % (name, names[:3]))
    badges = [d.text[i] for i in d.find("span", "badge") if "verdict-" in d.elems[i][1].get("class", "")]
    T.ok(badges == [x["verdict"] for x in dests], "%s: verdict badges %r" % (name, badges))
    for i, x in zip(rows, dests):
        a = d.elems[i][1]
        T.ok(a.get("data-verdict") == x["verdict"] and a.get("data-social") == ("1" if x["social_media"] else "0"),
             "%s: row attrs for %r" % (name, x["destination"][:40]))
    nsig = sum(len(x["signatures"]) for x in dests)
    T.ok(len(d.find("div", "sig")) == nsig, "%s: %d signature entries" % (name, nsig))
    svg = d.find("svg", id="timeline")
    T.ok(len(svg) == 1, "%s: timeline svg present" % name)
    lanes = d.find("g", "lane")
    T.ok(len(lanes) == min(len(dests), 60), "%s: %d timeline lanes" % (name, len(lanes)))
    spans = d.find("rect", "sigspan")
    T.ok(len(spans) == sum(len(x["signatures"]) for x in dests[:60]), "%s: one span per signature" % name)
    interfered = [x for x in dests[:60] if x["verdict"] == "interfered"]
    T.ok(len(d.find("g", "onset")) == len(interfered), "%s: an onset mark per interfered lane" % name)
    buckets = sum(len(x.get("timeline") or []) for x in dests[:60])
    T.ok(len(d.find("rect", "bucket")) == buckets, "%s: %d hourly bucket marks" % (name, buckets))
    inj = report.get("injectors") or []
    T.ok(len(d.find("tr", "injector")) == len(inj), "%s: %d injector rows" % (name, len(inj)))
    # no injected element: only the tags the renderer writes
    allowed = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "div", "span", "b",
               "table", "thead", "tbody", "tr", "th", "td", "br", "i", "svg", "line", "text", "g", "rect",
               "title", "circle", "path", "details", "summary", "script", "p", "footer"}
    tags = {t for t, _, _ in d.elems}
    T.ok(tags <= allowed, "%s: no unexpected element (%s)" % (name, sorted(tags - allowed)))
    T.ok(len(d.find("b")) == len(d.find("div", "card")), "%s: no <b> outside the stat cards" % name)
    T.ok(len(d.find("script")) == 1, "%s: one script element (the data block)" % name)
    attrs_bad = [a for _, a, _ in d.elems for k in a if k.startswith("on")]
    T.ok(not attrs_bad, "%s: no event-handler attributes" % name)


def main():
    if not os.access(BIN, os.X_OK):
        T.ok(False, "binary %s missing" % BIN)
        T.done()
    v = validator()
    pages = []
    for cap in CAPTURES:
        if not os.path.exists(cap):
            T.skip("report_html: %s missing" % cap)
            continue
        name = os.path.splitext(os.path.basename(cap))[0]
        rj, page = os.path.join(TMP, name + ".json"), os.path.join(OUTDIR, name + ".html")
        p = run([BIN, "analyze", "-q", "-o", rj, "--html", page, cap])
        if not T.ok(p.returncode == 0 and os.path.exists(page), "%s: analyze --html (rc %d %s)"
                    % (name, p.returncode, p.stderr[-200:])):
            continue
        report = json.load(open(rj))
        if v:
            errs = list(v.iter_errors(report))
            T.ok(not errs, "%s: report validates" % name)
        text = open(page, encoding="utf-8").read()
        static_checks(name, text, report)
        # report --format html == analyze --html; text == analyze --format text
        p2 = run([BIN, "report", "--format", "html", rj])
        T.ok(p2.returncode == 0 and p2.stdout.decode() == text, "%s: report --format html == analyze --html" % name)
        p3 = run([BIN, "report", "-o", os.path.join(TMP, name + ".2.html"), rj])
        T.ok(p3.returncode == 0 and open(os.path.join(TMP, name + ".2.html")).read() == text,
             "%s: report -o X.html infers html" % name)
        pt = run([BIN, "analyze", "-q", "--format", "text", cap])
        pr = run([BIN, "report", rj])
        T.ok(pr.returncode == 0 and pr.stdout == pt.stdout, "%s: report (text) == analyze --format text" % name)
        pj = run([BIN, "report", "--format", "json", rj])
        T.ok(pj.returncode == 0 and json.loads(pj.stdout) == report, "%s: report --format json round-trips" % name)
        if os.access(ASAN, os.X_OK):
            pa = run([ASAN, "report", "--format", "html", rj])
            T.ok(pa.returncode == 0 and pa.stdout.decode() == text and b"ERROR: AddressSanitizer" not in pa.stderr
                 and b"runtime error" not in pa.stderr, "%s: ASan report --format html clean and identical" % name)
        pages.append((name, page, report))

    # hostile names: nothing raw
    for name, page, report in pages:
        if name != "hostile_names":
            continue
        text = open(page).read()
        body = re.sub(r'<script type="application/json".*?</script>', "", text, flags=re.S)
        T.ok("</script>." not in body and 'x"y' not in body and "<b>x" not in body,
             "hostile_names: raw hostile bytes never reach the markup")
        # the qname reaches the page as the DNS dissector's presentation
        # form (\DDD for ", <, >), HTML-escaped on top
        T.ok("x&quot;y&lt;/script&gt;." in body or "x\\034y\\060/script\\062." in body,
             "hostile_names: quote and </script> escaped")

    # synthetic report: injectors + timeline + onset + enrichment fields, hostile strings everywhere
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>\'&amp;'
    syn = {
        "schema": "tamperscope.report/1", "generator": {"name": "tamperscope", "version": "test"},
        "source": {"files": [evil + ".pcap"], "filter": evil},
        "capture": {"packets": 10, "bytes": 1000, "flows": 2, "malformed": 0, "dropped": 3,
                    "start": "2026-01-01T00:10:00.000000Z", "end": "2026-01-01T05:00:00.000000Z"},
        "destinations": [{
            "destination": evil, "hosts": [evil, "a" + evil], "ips": ["198.51.100.7"], "service": evil,
            "social_media": True, "verdict": "interfered", "asn": 64500, "as_org": evil, "country": "<X>",
            "registrable_domain": evil,
            "tcp": {"connections": 4, "established": 2, "genuine_rst": 0, "refused": 0, "inconclusive": 0},
            "dns": {"queries": 0, "responses": 0},
            "signatures": [{"type": "rst_injection", "stage": "post_psh", "count": 3, "confidence": 0.84,
                            "evidence": {evil: 2, "seq_race": 3}, "first_seen": "2026-01-01T01:00:00.000000Z",
                            "last_seen": "2026-01-01T03:30:00.000000Z", "onset": "2026-01-01T01:00:00.000000Z",
                            "stopped": "2026-01-01T03:30:00.000000Z", "examples": [evil]}],
            "timeline": [{"hour": "2026-01-01T01:00:00.000000Z", "events": 2, "signatures": {evil: 2}},
                         {"hour": "2026-01-01T03:00:00.000000Z", "events": 1, "signatures": {"rst_injection": 1}}],
            "first_seen": "2026-01-01T00:10:00.000000Z", "last_seen": "2026-01-01T04:00:00.000000Z"}],
        "injectors": [{"id": evil, "kind": "rst", "pattern": {"ttl": 64, evil: evil}, "destinations": [evil],
                       "events": 3, "hop_distance": None, "asn": 64501, "country": "ZZ"}],
    }
    sp = os.path.join(TMP, "synthetic.json")
    json.dump(syn, open(sp, "w"))
    spage = os.path.join(OUTDIR, "synthetic.html")
    p = run([BIN, "report", "--format", "html", "-o", spage, sp])
    if T.ok(p.returncode == 0, "synthetic: report renders (%s)" % p.stderr[-200:]):
        text = open(spage).read()
        static_checks("synthetic", text, syn)
        body = re.sub(r'<script type="application/json".*?</script>', "", text, flags=re.S)
        T.ok("<script" not in body and "<img" not in body and "&lt;img src=x onerror=alert(2)&gt;" in body,
             "synthetic: evil strings inert (escaped)")
        pages.append(("synthetic", spage, syn))
    if v:
        T.ok(not list(v.iter_errors(syn)), "synthetic report validates")

    # bad inputs
    bad = os.path.join(TMP, "bad.json")
    open(bad, "w").write('{"schema": "other"}')
    T.ok(run([BIN, "report", bad]).returncode == 2, "report: wrong schema -> exit 2")
    T.ok(run([BIN, "report", os.path.join(TMP, "missing.json")]).returncode == 2, "report: missing file -> exit 2")
    T.ok(run([BIN, "report", "--format", "pdf", sp]).returncode == 1, "report: bad --format -> exit 1")
    T.ok(run([BIN, "report", "-o", "/nonexistent-dir/x.html", sp]).returncode == 3, "report: unwritable -> exit 3")

    # Chromium
    global CHROMIUM
    CHROMIUM = chromium_bin()
    if not CHROMIUM:
        print("SKIP report_html: chromium not installed")
        T.done()
    ctl = os.path.join(TMP, "control.html")
    open(ctl, "w").write('<!DOCTYPE html><html><body><script>console.error("control")</script></body></html>')
    _, cons = chromium(ctl, "--dump-dom")
    T.ok(any("control" in l for l in cons), "chromium: console capture works (control page logs)")
    for name, page, report in pages:
        dom, cons = chromium(page, "--dump-dom")
        T.ok(not cons, "%s: no console errors in Chromium (%s)" % (name, cons[:2]))
        T.ok("<svg" in dom, "%s: Chromium produced a DOM" % name)
        dom_checks(name, dom, report)
    for name, page, report in pages[:2] + pages[-1:]:
        shot = os.path.join(OUTDIR, name + ".png")
        if os.path.exists(shot):
            os.unlink(shot)
        _, cons = chromium(page, "--screenshot=" + shot, "--window-size=1400,1000", "--hide-scrollbars")
        ok = os.path.exists(shot) and os.path.getsize(shot) > 10000
        if ok:
            with open(shot, "rb") as f:
                head = f.read(24)
            ok = head[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(head[16:20], "big") == 1400
        T.ok(ok, "%s: screenshot %s" % (name, shot))
    shutil.rmtree(TMP, ignore_errors=True)
    T.done()


CHROMIUM = None
if __name__ == "__main__":
    main()
