"""The man page docs/tamperscope.1 against the program:

- every option in each command's `-h` output (parsed from the help text,
  so a new option without a man entry fails) is an item (.TP/.TQ tag) of
  that command's section, or of the shared ENGINE OPTIONS / OUTPUT OPTIONS
  section the command's section names; every command has a section;
- the version in .TH is the program's --version;
- groff -man -ww and man -l render it without a warning (skipped when
  groff / man-db are not installed);
- `make install DESTDIR=$tmp PREFIX=/usr` puts the binary, the data files
  and the man page in place, and the installed binary runs from there and
  finds its data files."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_lib import ROOT, BIN, Checks  # noqa: E402

T = Checks()
MAN = os.path.join(ROOT, "docs", "tamperscope.1")
OPT_RE = re.compile(r"(?<![\w/.=-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")
SHARED_SECTIONS = ("ENGINE OPTIONS", "OUTPUT OPTIONS")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def help_options(text):
    """Options named anywhere in a -h text except its usage line."""
    body = text.split("\n", 1)[1] if text.startswith("usage:") else text
    return set(OPT_RE.findall(body))


def plain(line):
    """roff source line -> text: \\- is -, font escapes and quotes go."""
    line = line.replace("\\-", "-").replace("\\e", "\\")
    line = re.sub(r"\\f[BIRP]|\\f\[[A-Z]*\]|\\&", "", line)
    return line.replace('"', "")


def man_sections(src):
    """[(title, lines)] for every .SH and .SS, in order."""
    out, title, lines = [], "", []
    for raw in src.splitlines():
        m = re.match(r'\.(SH|SS)\s+"?(.*?)"?\s*$', raw)
        if m:
            out.append((title, lines))
            title, lines = plain(m.group(2)), []
        else:
            lines.append(raw)
    out.append((title, lines))
    return out


def items(lines):
    """Options in the tags of .TP / .TQ items."""
    found, tag_next = set(), False
    for raw in lines:
        if raw.startswith((".TP", ".TQ")):
            tag_next = True
            continue
        if tag_next:
            found |= set(OPT_RE.findall(plain(raw)))
            tag_next = False
    return found


def documented(sections, title_prefix):
    """Options documented for the section whose title starts with
    title_prefix, with the shared sections it names."""
    by_title = dict(sections)
    sec = [(t, ls) for t, ls in sections if t.startswith(title_prefix)]
    if not sec:
        return None
    title, lines = sec[0]
    have = items(lines)
    text = plain(" ".join(lines))
    for shared in SHARED_SECTIONS:
        if shared in text:
            have |= items(by_title.get(shared, []))
    return have


def commands():
    p = run([BIN, "-h"])
    T.ok(p.returncode == 0, "tamperscope -h: exit %d" % p.returncode)
    names = re.findall(r"^  ([a-z]+)\s", p.stdout.split("commands:", 1)[-1], re.M)
    T.ok(len(names) >= 4, "tamperscope -h lists the commands (%s)" % names)
    return p.stdout, names


def check_options(src):
    sections = man_sections(src)
    top_help, names = commands()
    top = documented(sections, "OPTIONS")
    want = help_options(top_help)
    T.ok(top is not None and want and not (want - top),
         "top-level -h options %s in OPTIONS (missing %s)" % (sorted(want), sorted(want - (top or set()))))
    for cmd in names:
        p = run([BIN, cmd, "-h"])
        if not T.ok(p.returncode == 0 and p.stdout.startswith("usage:"), "%s -h: exit %d" % (cmd, p.returncode)):
            continue
        want = help_options(p.stdout)
        have = documented(sections, "tamperscope %s" % cmd)
        if not T.ok(have is not None, "man page has a section 'tamperscope %s'" % cmd):
            continue
        T.ok(len(want) >= 3 and not (want - have),
             "%s: all %d options of -h documented (missing %s)" % (cmd, len(want), sorted(want - have)))
    # the check itself: an option added to a help text is caught
    have = documented(sections, "tamperscope analyze") or set()
    fake = "usage: x\n  -o FILE   out\n  --no-such-opt-xyz  new\n"
    T.ok(help_options(fake) - have == {"--no-such-opt-xyz"},
         "self-check: an undocumented option in a help text is reported")


def check_version(src):
    p = run([BIN, "--version"])
    m = re.search(r'^\.TH\s+\S+\s+1\s+"[^"]*"\s+"([^"]*)"', src, re.M)
    T.ok(p.returncode == 0 and m and m.group(1) == p.stdout.strip(),
         ".TH names the version of --version (%r vs %r)" % (m.group(1) if m else None, p.stdout.strip()))


def check_render():
    if shutil.which("groff"):
        p = run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN])
        T.ok(p.returncode == 0 and not p.stderr.strip(), "groff -man -ww: no warnings (%s)" % p.stderr.strip()[:300])
    else:
        T.skip("manpage: groff not installed (groff-base), groff -ww check not run")
    if shutil.which("man"):
        env = dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat", LC_ALL="C.UTF-8")
        p = run(["man", "--warnings", "-l", MAN], env=env)
        T.ok(p.returncode == 0 and not p.stderr.strip() and "tamperscope analyze" in p.stdout
             and "EXIT STATUS" in p.stdout, "man --warnings -l: renders, no warnings (rc %d %s)"
             % (p.returncode, p.stderr.strip()[:300]))
    else:
        T.skip("manpage: man not installed (man-db), man -l check not run")


def run_in(cwd, cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)


def social(report_text, name):
    import json
    try:
        r = json.loads(report_text)
    except ValueError:
        return None
    for d in r.get("destinations", []):
        if d["destination"] == name:
            return d["social_media"]
    return None


def check_install():
    if not shutil.which("make"):
        T.skip("manpage: make not installed, make install not checked")
        return
    tmp = tempfile.mkdtemp(prefix="ts-install-")
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        p = subprocess.run(["make", "--no-print-directory", "install", "DESTDIR=" + tmp, "PREFIX=/usr"],
                           cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
        if not T.ok(p.returncode == 0, "make install DESTDIR=%s PREFIX=/usr: exit %d %s"
                    % (tmp, p.returncode, p.stderr[-300:])):
            return
        inst = os.path.join(tmp, "usr/bin/tamperscope")
        T.ok(os.access(inst, os.X_OK), "installed: usr/bin/tamperscope executable")
        data = ["targets.txt", "injectors.txt", "forged_ips.txt"]
        for d in data:
            src, dst = os.path.join(ROOT, "data", d), os.path.join(tmp, "usr/share/tamperscope", d)
            T.ok(os.path.exists(dst) and open(src, "rb").read() == open(dst, "rb").read(),
                 "installed: usr/share/tamperscope/%s" % d)
        man = os.path.join(tmp, "usr/share/man/man1/tamperscope.1")
        T.ok(os.path.exists(man) and open(man, "rb").read() == open(MAN, "rb").read(),
             "installed: usr/share/man/man1/tamperscope.1")
        empty = os.path.join(tmp, "cwd")   # no ./data here: only the installed copy can be found
        os.mkdir(empty)
        p = run_in(empty, [inst, "--version"])
        q = run([BIN, "--version"])
        T.ok(p.returncode == 0 and p.stdout == q.stdout and p.stdout.startswith("tamperscope "),
             "installed tamperscope --version runs (%r)" % p.stdout.strip())
        # Data files.  With DESTDIR the compiled-in data directory is
        # PREFIX's (/usr/share/tamperscope), which is not where the files
        # are; the program looks beside its executable first
        # (../share/tamperscope, util.c data_open()), and that is what an
        # installed copy relies on.  targets.txt is the proof: without it
        # analyze exits 2, and twitter.com is flagged social media only
        # through that list (an empty --targets list turns the flag off).
        demo = os.path.join(ROOT, "pcaps/lab/demo.pcap")
        p = run_in(empty, [inst, "analyze", "-q", "-o", "-", demo])
        T.ok(p.returncode == 0 and social(p.stdout, "twitter.com") is True,
             "installed analyze finds targets.txt beside itself: twitter.com social media (rc %d %s)"
             % (p.returncode, p.stderr.strip()[:200]))
        open(os.path.join(empty, "none.txt"), "w").close()
        p = run_in(empty, [inst, "analyze", "-q", "-o", "-", "--targets", "none.txt", demo])
        T.ok(p.returncode == 0 and social(p.stdout, "twitter.com") is False,
             "control: with an empty --targets list twitter.com is not flagged")
        # control: the same binary with no data beside it fails to find them
        # (unless a system-wide install provides the compiled-in directory)
        bare = os.path.join(tmp, "bare/bin")
        os.makedirs(bare)
        shutil.copy(inst, bare)
        p = run_in(empty, [os.path.join(bare, "tamperscope"), "analyze", "-q", "-o", "-", demo])
        if p.returncode == 0:
            T.skip("manpage: a system-wide tamperscope data directory exists, "
                   "the no-data control does not apply")
        else:
            T.ok(p.returncode == 2 and "target list not found" in p.stderr,
                 "control: a copy with no data files beside it exits 2 (%s)" % p.stderr.strip()[:120])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if not T.ok(os.access(BIN, os.X_OK), "binary %s (make)" % BIN):
        T.done()
    if not T.ok(os.path.exists(MAN), "docs/tamperscope.1 exists"):
        T.done()
    src = open(MAN, encoding="utf-8").read()
    check_options(src)
    check_version(src)
    check_render()
    check_install()
    T.done()


main()
