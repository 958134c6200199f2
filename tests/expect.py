#!/usr/bin/python3
"""Semantic expectations on real and generated captures (issues #2-#4):
attribution, detector verdicts, benign false-positive traps, schema."""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_lib import Checks, analyze, schema_errors, dest, sigs, SHARED, ROOT  # noqa

c = Checks()
GEN = os.path.join(ROOT, "pcaps", "gen")
P = os.path.join(SHARED, "pcaps")


def run(path, *opts, events=False):
    rep, evs, rc, err = analyze(path, *opts, events=events)
    name = os.path.basename(path if isinstance(path, str) else path[0])
    c.ok(rc == 0 and rep is not None, "%s: exit %d %s" % (name, rc, err.strip()[:200]))
    if rep is not None:
        errs = schema_errors(rep)
        if errs is not None:
            c.ok(not errs, "%s: schema: %s" % (name, errs[:3]))
    return rep, evs


def interfered(d):
    return d is not None and d["verdict"] == "interfered"


# ---- generated fixtures (always present) ----
r, _ = run(os.path.join(GEN, "dns_then_tcp.pcap"))
d = dest(r, "www.instagram.com")
c.ok(d and d["tcp"]["connections"] == 1 and d["social_media"],
     "dns_then_tcp: flow without SNI named by the earlier DNS answer")
c.ok(d and "198.18.5.5" in d["ips"], "dns_then_tcp: ip listed")

r, _ = run(os.path.join(GEN, "icmp_quote.pcap"))
c.ok(r["capture"]["flows"] == 0, "icmp_quote: ICMP-quoted SYNs create no flows")
d = dest(r, "198.18.9.9")
s = sigs(d, "icmp_prohibited")
c.ok(len(r["destinations"]) == 1 and s and s[0]["count"] == 1 and d["tcp"]["connections"] == 0,
     "icmp_quote: admin-prohibited (code 13) reported for the quoted destination, port-unreachable not")
c.ok(r["capture"]["icmp_quotes"] == 2, "icmp_quote: both quotes parsed")

r, _ = run(os.path.join(GEN, "icmp_order.pcap"))
s = sigs(dest(r, "198.18.9.10"), "icmp_prohibited")
c.ok(s and s[0]["count"] == 1,
     "icmp_order: admin-prohibited reported after a port-unreachable for the same SYN")

r, _ = run(os.path.join(GEN, "sni_split.pcap"))
c.ok(dest(r, "video.tiktokcdn.com") is not None,
     "sni_split: ClientHello over 3 out-of-order segments reassembled")
c.ok(dest(r, "video.tiktokcdn.com")["social_media"], "sni_split: tiktokcdn.com is social media")

r, evs = run(os.path.join(GEN, "rst_forged.pcap"), events=True)
d = dest(r, "twitter.com")
s = sigs(d, "rst_injection")
c.ok(interfered(d) and s and s[0]["stage"] == "post_psh", "rst_forged: rst_injection post_psh")
c.ok(s and s[0]["evidence"].get("seq_race") == 1 and s[0]["evidence"].get("ttl_mismatch") == 1,
     "rst_forged: seq_race + ttl_mismatch evidence")
c.ok(len(evs) == 1 and evs[0]["community_id"].startswith("1:") and
     evs[0]["evidence"]["rsts"][0]["ttl"] == 64 and evs[0]["evidence"]["rsts"][0]["endpoint_ttl"] == 50,
     "rst_forged: one tamper event with TTL evidence values")

r, _ = run(os.path.join(GEN, "rst_genuine.pcap"))
d = dest(r, "twitter.com")
c.ok(d and d["verdict"] == "clean" and d["tcp"]["genuine_rst"] == 1,
     "rst_genuine: genuine RST counted, no signature")

r, _ = run(os.path.join(GEN, "syn_drop.pcap"))
d = dest(r, "www.facebook.com")
s = sigs(d, "syn_drop")
c.ok(interfered(d) and s and s[0]["count"] == 3, "syn_drop: 3 dropped connections")
c.ok(dest(r, "example.org")["verdict"] == "clean", "syn_drop: answered control clean")
r2, _ = run(os.path.join(GEN, "syn_drop.pcap"), "--syn-timeout", "60")
c.ok(not sigs(dest(r2, "www.facebook.com"), "syn_drop"),
     "syn_drop: SYNs closer than the SYN timeout to the end are not a drop")

r, evs = run(os.path.join(GEN, "quic_drop.pcap"), events=True)
s = sigs(dest(r, "198.18.7.7"), "quic_drop")
c.ok(s and s[0]["count"] == 1 and s[0]["stopped"] is None,
     "quic_drop: unanswered QUIC flows are not clean connections (no 'stopped')")
e8 = [e for e in evs if e["dest_ip"] == "198.18.7.8"]
c.ok(len(e8) == 2 and all(e["evidence"]["tries"] == 1 and "initial_retransmit" not in e["evidence"]
                          and e["evidence"].get("repeated") for e in e8),
     "quic_drop: one Initial per flow, repeated across flows: no initial_retransmit")

# issue #16: a social-media UDP flow (a Telegram address in nDPI's IP
# list, no DNS, no DPI) is a destination; an unlisted UDP flow is not
r, _ = run(os.path.join(GEN, "social_udp.pcap"))
tg = [x for x in r["destinations"] if "149.154.167.51" in x.get("ips", [])]
c.ok(len(tg) == 1 and tg[0]["social_media"] and tg[0].get("udp") == {"answered": 1, "flows": 1}
     and tg[0]["verdict"] == "clean",
     "social_udp: the Telegram call flow is a social-media destination (%s)" %
     [(x["destination"], x.get("udp")) for x in tg])
c.ok(not [x for x in r["destinations"] if "198.18.5.5" in x.get("ips", []) or x["destination"] == "198.18.5.5"],
     "social_udp: an unlisted UDP flow is no destination")
# ---- issue #14 patterns (tests/tools/mkfixtures.c 12-15) ----
r, _ = run(os.path.join(GEN, "blackhole.pcap"))
s = sigs(dest(r, "instagram.com"), "data_drop")
c.ok(interfered(dest(r, "instagram.com")) and s and s[0]["count"] == 2 and
     s[0]["evidence"].get("request_unacked") == 2 and "data_retransmit" not in s[0]["evidence"],
     "blackhole: request and FIN never acknowledged, no retransmission, 2 connections: data_drop request_unacked")
c.ok(not interfered(dest(r, "t.me")), "blackhole: one such connection stays below 0.5")
c.ok(dest(r, "example.net")["verdict"] == "clean",
     "blackhole: fire-and-forget requests the server ACKs are clean")

r, _ = run(os.path.join(GEN, "dns_nxthin.pcap"))
s = sigs(dest(r, "twitter.com"), "dns_injection")
c.ok(s and s[0]["count"] == 2 and s[0]["evidence"].get("no_soa") == 2 and
     s[0]["evidence"].get("ttl_mismatch") == 2 and s[0]["confidence"] >= 0.5,
     "dns_nxthin: bare NXDOMAIN at another hop distance than a thin resolver's SOA-carrying answers: no_soa")
c.ok(all(dest(r, n)["verdict"] == "clean" for n in ("printer.lan", "router.lan", "missing.test", "absent.test")),
     "dns_nxthin: a router's own NXDOMAIN with an SOA, and bare NXDOMAINs of a resolver without SOAs, are clean")

r, _ = run(os.path.join(GEN, "blockpage.pcap"))
s = sigs(dest(r, "www.bbc.com"), "http_injection")
c.ok(s and s[0]["count"] == 2 and all(s[0]["evidence"].get(k) == 2 for k in
     ("no_status_line", "ttl_mismatch", "df_mismatch", "tos_mismatch")),
     "blockpage: bare HTML in a FIN+ACK at another TTL/DF/DSCP: http_injection no_status_line")
c.ok(dest(r, "example.org")["verdict"] == "clean" and dest(r, "example.net")["verdict"] == "clean",
     "blockpage: the server's own bare answer, and one at another TTL only, are clean")

r, _ = run(os.path.join(GEN, "tcp_inject.pcap"))
s = sigs(dest(r, "twitter.com"), "tcp_injection")
c.ok(s and s[0]["count"] == 1 and s[0]["evidence"].get("overlap_conflict") == 1,
     "tcp_inject: different bytes at the server's first seq of a TLS stream: tcp_injection")
s = sigs(dest(r, "youtube.com"), "http_injection")
c.ok(s and s[0]["evidence"].get("overlap_conflict") == 1 and s[0]["evidence"].get("no_status_line") == 1,
     "tcp_inject: the same on an HTTP stream: http_injection overlap_conflict, no_status_line")
c.ok(all(dest(r, n)["verdict"] == "clean" for n in ("example.org", "wikipedia.org", "debian.org")),
     "tcp_inject: a same-bytes retransmission, a conflict deep in a stream, a keep-alive probe: clean")
# throttling (issue #15): the measurement on a synthetic flow whose numbers
# are known (mkfixtures.c fx_throttle), with bulk data cut to 128 bytes
r, evs = run(os.path.join(GEN, "throttle.pcap"), events=True)
d = dest(r, "twitter.com")
s = sigs(d, "throttling")
c.ok(interfered(d) and s and s[0]["count"] == 2 and s[0]["stage"] == "post_psh" and
     s[0]["evidence"].get("rate_cap") == 2 and s[0]["evidence"].get("policer_loss") == 2,
     "throttle: two connections capped, with policer loss")
c.ok(dest(r, "example.org")["verdict"] == "clean", "throttle: the fast destination is clean")
te = [e["evidence"] for e in evs if e["signature"] == "throttling"]
c.ok(len(te) == 2 and all(e["delivered_bytes"] == 200000 and e["lost_bytes"] == 40000 and
                          e["server_seq_gaps"] == 40 and e["server_below_highest"] == 40 and
                          e["client_dup_acks"] == 40 and e["server_data_segments"] == 200
                          for e in te),
     "throttle: delivered / lost bytes, gaps, fills, duplicate ACKs counted from the headers")
c.ok(len(te) == 2 and all(abs(e["goodput_bps"] - 200000 * 8e6 / e["active_us"]) < 1 and
                          155000 <= e["cap_bps"] <= 165000 and
                          10.2e6 < e["active_us"] < 10.3e6 and e["comparison_bps"] > 4 * e["destination_sum_bps"]
                          for e in te),
     "throttle: goodput = acknowledged bytes over first data .. last advancing ACK; "
     "cap = the rate after the first loss (1000 B / 50 ms = 160 kbit/s)")
r = run(os.path.join(GEN, "fp_slow_server.pcap"))[0]
c.ok(all(x["verdict"] == "clean" for x in r["destinations"]) and
     r["detectors"]["throttling"]["capped_without_loss"] == 2,
     "fp_slow_server: slow at the same rate, nothing lost: a slow server, not throttling")

r, evs = run(os.path.join(GEN, "dns_race.pcap"), events=True)
d = dest(r, "twitter.com")
s = sigs(d, "dns_injection")
c.ok(interfered(d) and s and s[0]["count"] == 1, "dns_race: one forged response")
ev = s[0]["evidence"] if s else {}
c.ok(ev.get("multi_answer") == 1 and ev.get("known_forged_ip") == 1 and ev.get("ttl_mismatch") == 1,
     "dns_race: multi_answer + known_forged_ip + ttl_mismatch")
rs = evs[0]["evidence"]["responses"] if evs else []
c.ok(len(rs) == 2 and rs[0]["forged"] and not rs[1]["forged"],
     "dns_race: first response forged, second genuine")
c.ok(dest(r, "debian.org")["verdict"] == "clean",
     "dns_race: retransmitted query answered twice identically stays clean")
c.ok(all(x["verdict"] != "interfered" for x in r["destinations"] if x["destination"] != "twitter.com"),
     "dns_race: no other destination interfered")

r, _ = run(os.path.join(GEN, "hostile_names.pcap"))
c.ok(len(r["destinations"]) == 3, "hostile_names: three destinations, valid JSON")
c.ok(all("<" not in x["destination"] for x in r["destinations"] if x["tcp"]["connections"]),
     "hostile_names: SNI/Host escaped")

r, _ = run(os.path.join(GEN, "vlan_qinq.pcap"))
c.ok(dest(r, "youtube.com") is not None, "vlan_qinq: 802.1ad+802.1Q decoded")

# ---- DNS cross-layer link (lab recording) ----
r, evs = run(os.path.join(ROOT, "pcaps", "lab", "dns_onpath_v4.pcap"), events=True)
d = dest(r, "www.facebook.com")
s = sigs(d, "dns_injection")
c.ok(s and s[0]["evidence"].get("forged_ip_contacted", 0) >= 1,
     "dns cross-layer: the client's connection to the forged address is recorded")
c.ok(any(e["evidence"]["forged_ip_contacted"]["handshake_completed"] >= 1 for e in evs),
     "dns cross-layer: the event says the handshake with the forged address completed")
forged = {a for e in evs for x in e["evidence"]["responses"] if x["forged"] for a in x["answers"]}
c.ok(forged and all(not (set(x["ips"]) & forged) for x in r["destinations"]),
     "dns cross-layer: forged addresses never become a destination's IPs")

r, evs = run(os.path.join(ROOT, "pcaps", "lab", "demo.pcap"), events=True)
forged = {a for e in evs if e["signature"] == "dns_injection"
          for x in e["evidence"]["responses"] if x["forged"] for a in x["answers"]}
c.ok(forged and all(not (set(x["ips"]) & forged) for x in r["destinations"]),
     "dns cross-layer: a race still in its hold window at the end of input is judged before its flows end")

# ---- CLI: stdin, -c, -f ----
import subprocess
with open(os.path.join(GEN, "rst_forged.pcap"), "rb") as fh:
    p = subprocess.run([os.environ.get("TAMPERSCOPE", os.path.join(ROOT, "tamperscope")), "analyze", "-q", "-"],
                       stdin=fh, capture_output=True, text=True)
import json as _json
c.ok(p.returncode == 0 and dest(_json.loads(p.stdout), "twitter.com") is not None, "cli: - reads stdin")
r, _ = run(os.path.join(GEN, "syn_drop.pcap"), "-c", "5")
c.ok(r["capture"]["packets"] == 5, "cli: -c 5 stops after 5 packets")
r, _ = run(os.path.join(GEN, "syn_drop.pcap"), "-f", "udp port 53")
c.ok(r["capture"]["packets"] == 2 and r["capture"]["flows"] == 1, "cli: -f BPF filter applied")
r, _ = run([os.path.join(GEN, "syn_drop.pcap"), os.path.join(GEN, "rst_forged.pcap")])
c.ok(dest(r, "www.facebook.com") and dest(r, "twitter.com") and r["source"]["files"][1].endswith("rst_forged.pcap"),
     "cli: several files read in order as one capture")

# ---- evidence pcaps ----
import tempfile
with tempfile.TemporaryDirectory() as tmp:
    r, evs = run(os.path.join(ROOT, "pcaps", "lab", "demo.pcap"), "--evidence", tmp, events=True)
    files = sorted(os.listdir(tmp))
    want = sorted(e["community_id"].replace(":", "_").replace("/", "_").replace("+", "-").rstrip("=") + ".pcap"
                  for e in evs)
    c.ok(files == sorted(set(want)) and len(files) == len(evs),
         "evidence: one pcap per interfered flow/query, named after its Community ID (%d files, %d events)"
         % (len(files), len(evs)))
    rst = [e for e in evs if e["signature"] == "rst_injection"]
    if rst:
        f = rst[0]["community_id"].replace(":", "_").replace("/", "_").replace("+", "-").rstrip("=") + ".pcap"
        r2, _ = run(os.path.join(tmp, f))
        c.ok(any(sigs(d, "rst_injection") for d in r2["destinations"]),
             "evidence: the RST evidence pcap alone shows the injection again")
with tempfile.TemporaryDirectory() as tmp:
    r3, _ = run(os.path.join(ROOT, "pcaps", "lab", "demo.pcap"), "--evidence", tmp, "--evidence-max", "1")
    nsig = sum(len(d["signatures"]) for d in r3["destinations"])
    c.ok(len(os.listdir(tmp)) == nsig, "evidence: --evidence-max 1 keeps one file per destination and signature")

# ---- shared captures ----
if not os.path.isdir(P):
    c.skip("shared captures: ../shared absent")
    c.done()

r, _ = run(os.path.join(P, "benign/ndpi_facebook.pcap"))
for n in ("facebook.com", "www.facebook.com"):
    d = dest(r, n)
    c.ok(d and d["social_media"] and d["service"] == "Facebook", "ndpi_facebook: %s social media" % n)

r, _ = run(os.path.join(P, "benign/ndpi_sites.pcapng"))
for n in ("edge-mqtt.facebook.com", "web.telegram.org", "t.me", "vcs-va.tiktokv.com", "www.threads.net"):
    d = dest(r, n)
    c.ok(d is not None and d["social_media"], "ndpi_sites: %s attributed and flagged" % n)
c.ok(r["destinations"][0]["social_media"], "ndpi_sites: social media listed first")

r, _ = run(os.path.join(P, "interference/zeek_tcp_rst-inject-rae.pcap"))
s = sigs(dest(r, "1.2.0.3"), "rst_injection")
c.ok(s and s[0]["stage"] == "post_syn" and s[0]["evidence"].get("ttl_mismatch"),
     "rst-inject-rae: rst_injection post_syn with ttl_mismatch")

r, _ = run(os.path.join(P, "interference/tripwire_airtel-india_http-rst_youporn.pcap"))
d = dest(r, "youporn.com")
c.ok(interfered(d) and sum(x["count"] for x in sigs(d, "rst_injection")) == 3,
     "airtel: 3 forged RSTs toward the server for youporn.com")

r, _ = run(os.path.join(P, "interference/tripwire_gfw_server-side_sll-vlan_youporn-wikipedia.pcap"))
for n in ("youporn.com", "www.wikipedia.org"):
    c.ok(interfered(dest(r, n)), "gfw: %s rst_injection" % n)
for n in ("you.com", "104.17.210.9"):
    d = dest(r, n)
    c.ok(d and d["verdict"] == "clean", "gfw: untriggered %s stays clean" % n)
c.ok(r["capture"]["duplicates"] == 344, "gfw: 344 VLAN duplicates discounted (got %d)" % r["capture"]["duplicates"])

r, _ = run(os.path.join(P, "interference/tripwire_gfw_server-side_port443_rst-burst.pcap"))
c.ok(any(s["evidence"].get("multi_rst") for d in r["destinations"] for s in sigs(d, "rst_injection")),
     "rst-burst: multi_rst")

r, _ = run(os.path.join(P, "interference/citizenlab_turkey-packetlogic_http307-injection.pcap"))
n = sum(x["count"] for d in r["destinations"] for x in sigs(d, "http_injection"))
c.ok(n == 36, "turkey: 36 injected HTTP 307s (got %d)" % n)
ipid = sum(x["evidence"].get("ipid_fixed", 0) for d in r["destinations"] for x in sigs(d, "http_injection"))
c.ok(ipid == 36, "turkey: IP-ID evidence carries the streams whose TTL matches (ipid_fixed %d)" % ipid)
r, evs = run(os.path.join(P, "interference/citizenlab_egypt-adhose_http307-injection_rawip.pcap"), events=True)
for n in ("copticpope.org", "babylon-x.com"):
    c.ok(interfered(dest(r, n)) and sigs(dest(r, n), "http_injection"), "egypt: %s http_injection" % n)
c.ok(all(e["evidence"].get("location") == "http://static.dbmads.com/static1.html" or
         e["evidence"].get("location", "").startswith("http://static.dbmads.com") for e in evs),
     "egypt: Location recorded")
r, _ = run(os.path.join(P, "interference/gfw-report_quic-sni_victim-client_udp-blackholed.pcap"))
s = sigs(dest(r, "http3check.net"), "quic_drop")
c.ok(interfered(dest(r, "http3check.net")) and s and s[0]["count"] >= 40,
     "quic client: repeated unanswered Initials to http3check.net")
c.ok(s and s[0]["evidence"].get("residual", 0) >= 30,
     "quic client: blocking over minutes recorded as residual")
# Our own QUIC Initial reader (dissectors/quic.c) names a flow nDPI 4.2
# left as a bare address: both QUIC flows of the GFW flow-tracking
# experiment carry SNI google.com in their client Initial.
r, _ = run(os.path.join(P, "weird/gfw-report_quic-sni_flow-tracking-time_sll2.pcap"))
g = dest(r, "google.com")
c.ok(g and g.get("udp", {}).get("flows") == 2 and "172.21.210.4" in g["ips"] and
     g["service"] == "Google" and not dest(r, "172.21.210.4"),
     "quic sni: both flow-tracking probes named google.com (QUIC Initial decrypted)")

# zeek_tcp_qi_internet_SYNACK_curl_jsonip.pcap is filed as benign, but its
# bytes show a Quantum-Insert-style race (Zeek's "qi" tests): frame 5 is
# "HTTP/1.1 200 OK ... BANG!" (TTL 56, IP-ID 1), frame 9 the genuine nginx
# response at the same sequence number (TTL 54).  Same seq, different
# bytes: one of them was forged.  We report it; see README "Limitations".
QI = "zeek_tcp_qi_internet_SYNACK_curl_jsonip.pcap"
r, _ = run(os.path.join(P, "benign", QI))
s = sigs(dest(r, "jsonip.com"), "http_injection")
c.ok(s and s[0]["evidence"].get("overlap_conflict") == 1, "qi race: http_injection with overlap_conflict")
c.ok(not any(sigs(d, "rst_injection") for d in r["destinations"]), "qi race: its RSTs after FIN are genuine")

for f in sorted(glob.glob(os.path.join(P, "benign", "*"))):
    if os.path.basename(f) == QI:
        continue
    r, _ = run(f)
    if r is None:
        continue
    bad = ["%s:%s" % (d["destination"], s["type"]) for d in r["destinations"] for s in d["signatures"]
           if s["type"] in ("rst_injection", "dns_injection", "http_injection")]
    c.ok(not bad, "benign %s: no injection signature %s" % (os.path.basename(f), bad[:4]))
    inter = [d["destination"] for d in r["destinations"] if d["verdict"] == "interfered"]
    c.ok(not inter, "benign %s: nothing interfered %s" % (os.path.basename(f), inter[:4]))

r, _ = run(os.path.join(P, "benign/suricata-verify_bug-4376_syn_retransmit_with_ts.pcap"))
c.ok(not any(sigs(d, "syn_drop") for d in r["destinations"]),
     "syn retransmitted then answered is not a drop")
r, _ = run(os.path.join(P, "benign/ndpi_vk.pcapng"))
c.ok(not any(sigs(d, "syn_drop") or sigs(d, "data_drop") for d in r["destinations"]),
     "vk: one-directional capture gap gives no drop verdict")
r, _ = run(os.path.join(P, "benign/zeek_dns-two-responses.pcap"))
c.ok(not any(sigs(d) for d in r["destinations"]), "zeek dns two identical responses: clean")
r, _ = run(os.path.join(P, "benign/suricata-verify_dns-response-2x.pcap"))
c.ok(not any(sigs(d) for d in r["destinations"]), "unsolicited wrong-id response: clean")
c.done()
