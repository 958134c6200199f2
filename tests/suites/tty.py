"""`analyze` on a terminal, through pseudo-terminals (os.openpty):

- the progress line (stderr a terminal, not -q): drawn as "\\r<text>\\033[K",
  erased with "\\r\\033[K" at the end and before any other stderr line
  (a truncated file's warning mid-run); ETA and percentage for files,
  bytes and packets/s without ETA for a pipe on stdin; absent with -q,
  with stderr in a file, and with `-e -` on the same terminal;
- the default format: the text table when stdout is a terminal and no -o,
  JSON when stdout is a pipe, with --format json, and in the -o file.

Inputs are flood captures from build/tools/mkflood (new flows are the
engine's slowest packets).  Most cases read stdin through a pipe that
pauses, so a draw is due whatever the machine's speed; the regular-file
case (percentage, ETA) depends on reading taking over 0.25 s, and a run
that ends sooner is a SKIP of those checks, not a pass."""
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_lib import ROOT, BIN, Checks  # noqa: E402

T = Checks()
TMP = tempfile.mkdtemp(prefix="ts-tty-")
DEMO = os.path.join(ROOT, "pcaps/lab/demo.pcap")
MKFLOOD = os.path.join(ROOT, os.environ.get("BUILD", "build"), "tools/mkflood")
DRAW = re.compile(r"\r(tamperscope: [^\r\n\x1b]*)\x1b\[K")
CLEAR = "\r\x1b[K"


def run(args, out="pty", err="pty", feed=None, timeout=300):
    """Run BIN with stdout/stderr each 'pty' (one shared terminal), 'pipe'
    or 'file'; feed: list of (bytes, pause_s) written to a stdin pipe.
    Returns (rc, terminal text, stdout text, stderr text, seconds)."""
    master, slave = os.openpty()
    fds = {}
    files = {}

    def target(mode, name):
        if mode == "pty":
            return slave
        if mode == "file":
            files[name] = open(os.path.join(TMP, name), "w+b")
            return files[name]
        return subprocess.PIPE

    t0 = time.monotonic()
    p = subprocess.Popen([BIN] + args, stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                         stdout=target(out, "out"), stderr=target(err, "err"), cwd=TMP)
    os.close(slave)
    if feed:
        def writer():
            try:
                for data, pause in feed:
                    p.stdin.write(data)
                    p.stdin.flush()
                    time.sleep(pause)
                p.stdin.close()
            except BrokenPipeError:
                pass
        threading.Thread(target=writer, daemon=True).start()
    bufs = {master: b""}
    if p.stdout:
        fds[p.stdout.fileno()] = "out"
        bufs[p.stdout.fileno()] = b""
    if p.stderr:
        fds[p.stderr.fileno()] = "err"
        bufs[p.stderr.fileno()] = b""
    open_fds = set(bufs)
    deadline = time.monotonic() + timeout
    while open_fds and time.monotonic() < deadline:
        r, _, _ = select.select(list(open_fds), [], [], 0.2)
        for fd in r:
            try:
                data = os.read(fd, 65536)
            except OSError:          # EIO: the terminal's last user is gone
                data = b""
            if data:
                bufs[fd] += data
            else:
                open_fds.discard(fd)
        if p.poll() is not None and not r:
            break
    try:
        rc = p.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    secs = time.monotonic() - t0
    os.close(master)

    def text(b):
        return b.decode("utf-8", "replace").replace("\r\n", "\n")

    outs = {"out": "", "err": ""}
    for fd, name in fds.items():
        outs[name] = text(bufs[fd])
    for name, f in files.items():
        f.seek(0)
        outs[name] = text(f.read())
        f.close()
    return rc, text(bufs[master]), outs["out"], outs["err"], secs


def draws(term):
    return DRAW.findall(term)


def erased_after_draws(term):
    """Every drawn line is followed by another draw or the erase, never by
    other output; and the last one is erased."""
    for m in DRAW.finditer(term):
        rest = term[m.end():]
        if not rest.startswith("\r"):
            return False
    last = list(DRAW.finditer(term))[-1]
    return term[last.end():].startswith(CLEAR) or bool(DRAW.match(term[last.end():]))


def no_progress(text):
    return "\x1b[K" not in text and "pkt/s" not in text


def make_inputs():
    """flood.pcap (330,000 packets) and cut.pcap (the same, its last record
    cut) for the regular-file case; small.pcap (13,200 packets) for the
    stdin cases."""
    out = []
    for name, syn, dns in (("flood.pcap", "300000", "30000"), ("small.pcap", "12000", "1200")):
        path = os.path.join(TMP, name)
        p = subprocess.run([MKFLOOD, path, syn, dns, "1"], capture_output=True, timeout=300)
        if p.returncode != 0:
            return None
        out.append(path)
    cut = os.path.join(TMP, "cut.pcap")
    with open(out[0], "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[:len(data) - 7])
    return out[0], cut, out[1]


def file_case(big, cut):
    """Regular files: both on one terminal.  Draws with percentage and ETA,
    erased, then the text table; a warning in the middle is not written
    on a draw.  Reading speed decides whether a draw falls due (after
    0.25 s): a run too fast for one is a SKIP."""
    rc, term, _, _, secs = run(["analyze", big, cut])
    d = draws(term)
    if not d and rc == 0:
        # the terminal's table takes most of secs: time the reading alone
        t0 = time.monotonic()
        subprocess.run([BIN, "analyze", "-q", "-o", "/dev/null", big, cut],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        alone = time.monotonic() - t0
        if alone < 0.5:
            T.skip("tty: the analysis alone took %.2f s, too fast for a progress line "
                   "(one falls due after 0.25 s); file progress checks not run" % alone)
            return
    T.ok(rc == 0 and d, "terminal: progress drawn (%d draws in %.1f s, rc %d)" % (len(d), secs, rc))
    if not d:
        print(repr(term[:400]))
        return
    T.ok(all(re.search(r"^tamperscope: +\d+% [\d.]+ [KMG]?i?B of [\d.]+ MiB, .* packets, .* pkt/s, ETA \d+:\d\d$", x)
             for x in d), "terminal: each draw has %%, bytes of the total, packets/s, ETA (%r)" % d[-1])
    total = 2 * os.path.getsize(big) - 7
    T.ok(("of %.1f MiB" % (total / 1048576.0)) in d[0],
         "terminal: the total is both files' size (%.1f MiB): %r" % (total / 1048576.0, d[0]))
    pct = [int(re.search(r"(\d+)%", x).group(1)) for x in d]
    T.ok(pct == sorted(pct) and pct[-1] <= 100, "terminal: percentage only grows (%s)" % pct)
    T.ok(erased_after_draws(term), "terminal: every draw is followed by a redraw or the erase")
    w = term.find("tamperscope: " + cut)
    T.ok(w > 0 and term[:w].endswith(CLEAR),
         "terminal: the truncation warning starts on an erased line (%r)" % term[max(0, w - 40):w + 40])
    m = re.search(r"tamperscope: \d+ packets, \d+ flows", term)
    T.ok(m and m.start() > term.rfind("pkt/s"), "terminal: the summary line comes after the last draw")
    tail = term[term.rfind(CLEAR):]
    T.ok("DESTINATION" in tail and not re.search(r"^\{", tail, re.M),
         "terminal: stdout a terminal, no -o: the text table")
    T.ok(len(d) <= secs * 4 + 2, "terminal: at most 4 draws a second (%d in %.1f s)" % (len(d), secs))


def stdin_cases(small):
    """stdin a pipe that pauses 0.6 s after the first fifth of the file:
    the reader waits there, so with progress on a draw is due at the next
    tick (every 4096 packets; the file has 13,200).  The same input with
    progress off (-q, stderr a file, -e - on the terminal) must show none."""
    data = open(small, "rb").read()
    cut = len(data) // 5
    feed = [(data[:cut], 0.6), (data[cut:], 0)]

    rc, term, _, _, _ = run(["analyze", "-o", "/dev/null", "-"], feed=feed)
    d = draws(term)
    T.ok(rc == 0 and d and all(re.search(r"^tamperscope: read [\d.]+ [KMG]?i?B, .* packets, .* pkt/s$", x) for x in d),
         "stdin pipe: bytes and packets/s, no %% or ETA (rc %d, %r)" % (rc, d[-1] if d else term[:200]))
    T.ok(d and erased_after_draws(term), "stdin pipe: the line is erased")

    rc, term, out, _, _ = run(["analyze", "-"], out="pipe", feed=feed)
    try:
        rep = json.loads(out)
    except ValueError:
        rep = None
    T.ok(rc == 0 and rep is not None and rep.get("schema") == "tamperscope.report/1",
         "stdout a pipe: JSON report (rc %d, %d bytes: %r)" % (rc, len(out), out[-60:]))
    T.ok(draws(term) and erased_after_draws(term), "stdout a pipe, stderr a terminal: progress drawn and erased")

    rc, term, _, _, _ = run(["analyze", "-q", "-"], feed=feed)
    T.ok(rc == 0 and no_progress(term) and "DESTINATION" in term,
         "-q: no progress line, table still shown (rc %d, %r)" % (rc, term[:120]))

    rc, term, _, err, _ = run(["analyze", "-"], err="file", feed=feed)
    T.ok(rc == 0 and no_progress(err) and no_progress(term) and "packets" in err,
         "stderr a file: no progress line (rc %d, stderr %r)" % (rc, err.strip()[:80]))
    T.ok("DESTINATION" in term, "stderr a file, stdout a terminal: the table")

    rc, term, _, _, _ = run(["analyze", "-o", "/dev/null", "-e", "-", "-"], feed=feed)
    k = term.find("\x1b[K")
    T.ok(rc == 0 and no_progress(term), "-e - on the terminal: no progress line (rc %d, %r)"
         % (rc, term[max(0, k - 80):k + 40] if k >= 0 else term[:80]))


def format_cases():
    ref_text = subprocess.run([BIN, "analyze", "-q", "--format", "text", DEMO], capture_output=True, text=True)
    ref_json = subprocess.run([BIN, "analyze", "-q", "-o", "-", DEMO], capture_output=True, text=True)
    if not T.ok(ref_text.returncode == 0 and ref_json.returncode == 0, "reference runs of demo.pcap"):
        return
    # default on a terminal == --format text
    rc, term, _, _, _ = run(["analyze", "-q", DEMO], err="pipe")
    T.ok(rc == 0 and term == ref_text.stdout, "stdout a terminal: default output is the --format text table")
    T.ok(not term.lstrip().startswith("{"), "stdout a terminal: not JSON")
    # --format json on a terminal
    rc, term, _, _, _ = run(["analyze", "-q", "--format", "json", DEMO], err="pipe")
    T.ok(rc == 0 and json.loads(term) == json.loads(ref_json.stdout), "--format json on a terminal: JSON")
    # a pipe: JSON by default
    p = subprocess.run([BIN, "analyze", "-q", DEMO], capture_output=True, text=True)
    T.ok(p.returncode == 0 and json.loads(p.stdout) == json.loads(ref_json.stdout), "stdout a pipe: JSON by default")
    # a file (shell redirection): JSON
    with open(os.path.join(TMP, "redir.json"), "w") as f:
        p = subprocess.run([BIN, "analyze", "-q", DEMO], stdout=f, stderr=subprocess.PIPE)
    T.ok(p.returncode == 0 and json.load(open(os.path.join(TMP, "redir.json"))) == json.loads(ref_json.stdout),
         "stdout redirected to a file: JSON")
    # -o FILE with stdout a terminal: JSON in the file, nothing on the terminal
    o = os.path.join(TMP, "o.json")
    rc, term, _, _, _ = run(["analyze", "-q", "-o", o, DEMO], err="pipe")
    T.ok(rc == 0 and term == "" and json.load(open(o)) == json.loads(ref_json.stdout), "-o FILE on a terminal: JSON file")
    # the summary line: on the terminal's stderr without -q
    rc, term, _, _, _ = run(["analyze", DEMO], out="pipe")
    T.ok(rc == 0 and re.search(r"tamperscope: 137 packets", term), "summary line on a terminal stderr")


def main():
    if not T.ok(os.access(BIN, os.X_OK), "binary %s (make)" % BIN):
        T.done()
    try:
        format_cases()
        if not os.access(MKFLOOD, os.X_OK):
            T.ok(False, "%s missing (make unit-bins)" % MKFLOOD)
        else:
            inputs = make_inputs()
            if T.ok(inputs is not None, "mkflood made the progress inputs"):
                file_case(inputs[0], inputs[1])
                stdin_cases(inputs[2])
    finally:
        import shutil
        shutil.rmtree(TMP, ignore_errors=True)
    T.done()


main()
