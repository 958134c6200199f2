/* tunables.h - every number someone might change to trade accuracy,
 * memory or speed: thresholds, time windows, caps, table sizes, and the
 * confidence arithmetic (evidence weights, repetition bonuses).  Grouped
 * by stage in packet-path order (docs/architecture.md); each line says
 * what the number is, its unit, and why that value.
 *
 * Not here: constants of a wire format (header lengths, protocol numbers,
 * flag bits) stay with their parser; limits that keep a parser's loop
 * finite by construction (LINK_NEST_MAX) or that a bit mask fixes
 * (catalog.h: EV_MAX) stay with their code.  The defaults of the options
 * a user sets (`analyze -h`): a detector's come from here (named *_DEF);
 * the engine's are in engine_opts_default() (engine.c) and the man page.
 *
 * A leaf: it includes nothing and every stage may include it
 * (tests/suites/layering.sh).  Changing a value here changes reports:
 * regenerate the goldens (make golden-update) and say why in the commit. */
#ifndef TS_TUNABLES_H
#define TS_TUNABLES_H

/* ---- dissectors/: caps on what one packet may make a parser walk ---- */
#define IP6_EXT_MAX    16      /* ip.c: IPv6 extension headers walked per packet */
#define VLAN_MAX       4       /* link.c: VLAN tags accepted in one frame (QinQ and more) */
#define MPLS_MAX       8       /* link.c: MPLS labels accepted in one stack */
#define TUNNEL_MAX     4       /* decode.c: encapsulation levels unwrapped per packet */
#define NFLOG_TLV_MAX  64      /* nflog.c: TLVs looked at per packet */
#define DNS_HOPS_MAX   64      /* dns.c: compression pointers followed per name */
#define DNS_MAX_ANS    32      /* dissect.h: answer records kept per DNS message */
#define CRYPTO_MAX     8192    /* quic.c: ClientHello bytes gathered from Initial CRYPTO frames */

/* ---- input/ ---- */
#define FP_BLOCK (1u << 20)    /* fastpcap.c: bytes per read(2) block (holds the largest record; two with --threads 2) */
#define FP_MAX_SNAP 262144u    /* fastpcap.c: largest snaplen taken as a sane header (libpcap's 256 KiB) */

#define PL_BATCH_PKTS 256      /* pipeline.c: packets per batch handed to the engine thread */
#define PL_BATCH_BYTES (256 * 1024)  /* pipeline.c: bytes of the packets a batch copies (libpcap's reads; fastpcap's blocks are not copied; one larger packet grows its batch) */
#define PL_BATCHES 32           /* pipeline.c: batches in flight: bounds memory and how far reading runs ahead */
#define PL_SPINS 4096          /* pipeline.c: checks (a yield every 64) before a waiting side sleeps: the other is usually microseconds away */
#define THREADS_MAX 2          /* main.c: --threads default cap: reading, the rest (pipeline.c) */

/* ---- core/ ---- */
#define HEAP_PAD (64 << 20)     /* heap.c: bytes of address space analyze's heap grows by at once (resident only once touched) */
#define HEAP_MMAP_MAX (32 << 20)  /* heap.c: blocks up to this size come from the heap, not a mapping of their own */
#define PROGRESS_EVERY 4096u   /* progress.h: packets between clock checks (power of 2) */
#define PROGRESS_HZ 4          /* progress.h: redraws per second at most */
#define ENGINE_DET_OPTS 32     /* engine.h: detector options set at once */
#define TICK_US 100000         /* engine.c: packet time between ticks (idle expiry, on_tick), us */
#define EVIDENCE_PKTS 64       /* engine.c: packets kept per flow for an evidence file */
#define EVIDENCE_BYTES (256 * 1024)  /* engine.c: bytes kept per flow for an evidence file */
#define IPSVC_SLOTS 4096       /* engine_int.h: nDPI IP-list lookups and QUIC servers cached (power of 2) */
#define FLOW_TTL_SLOTS 4       /* flow.h: distinct TTLs counted per direction (a path has one or two) */
#define FLOW_NAME_INLINE 48    /* flow.h: destination name bytes kept inside a flow (an IPv6 address's text fits), longer ones allocated */
#define FLOW_DUP_RING 4        /* flow.h: recent packets per direction checked for capture duplicates */
#define POOL_CHUNK 1024        /* flow.c: flows allocated at once (no malloc per flow) */
#define NDPI_SPARE_MAX 256     /* ndpi_glue.c: ended flows' nDPI flow structs kept for reuse */
#define SLOT_SPARE_MAX 1024    /* flow.c: ended flows' detector slots kept for reuse, per kind (past it: back to malloc) */
#define REASM_FIRST 512        /* tcp_track.c: first reassembly buffer, bytes, doubled as data arrives (with its map it stays in malloc's per-thread cache) */
#define DUP_WINDOW_US 50000    /* tcp_track.c: a copy on another VLAN within 50 ms, us */
#define DUP_LINK_US 2000       /* tcp_track.c: a copy on the same link within 2 ms, us */
#define BL_SLOTS 4             /* baseline.c: distinct TTLs counted per address */
#define INJ_MAX_CLUSTERS 32    /* injectors.c: injector clusters reported */
#define INJ_MAX_DESTS 20       /* injectors.c: destinations listed per cluster */

#define SIG_MEASURES_MAX 4     /* catalog.h: measurements one signature type may declare (test_registry.c) */

/* ---- detectors/: confidence arithmetic (DESIGN.md 2, 3; verdict.h) ---- */
/* Evidence weights (detector.h): an event's confidence is 1 - prod(1 - w). */
#define W_STRONG 0.60          /* one strong code alone crosses the 0.5 threshold */
#define W_MEDIUM 0.35          /* a medium code needs a second one */
#define W_WEAK   0.15          /* a weak code only adds to others */
/* Repetition signatures (verdict.c; drops.c for the event's own confidence). */
#define VERDICT_REPEAT_BONUS   0.25   /* >= 2 affected connections        */
#define VERDICT_ANSWERED_BONUS 0.10   /* the network answered other flows */
#define VERDICT_UNANSWERED_CAP 0.45   /* ... and at most this when it did not, */
#define VERDICT_DENSE_HOUR     5      /* unless this many in one clock hour  */
#define DROP_NAMED_BONUS  0.15        /* drops.c: named (DNS/SNI/Host) or a target */
#define DROP_TRIES_BONUS  0.05        /* drops.c: DROP_TRIES_MIN or more tries in the connection */
#define DROP_TRIES_MIN    3           /* drops.c: ... that many tries (SYNs, transmissions) */
#define DROP_SENSOR_MALUS 0.20        /* drops.c: the sensor was dropping packets then */
#define SYN_DROP_BASE     0.25        /* det_syndrop.c: one unanswered SYN (a server can be down) */
#define DATA_DROP_BASE    0.40        /* det_datadrop.c: data unanswered after a handshake worked */
#define QUIC_DROP_BASE    0.25        /* det_quic.c: Initials unanswered (UDP: no handshake seen) */
#define THR_PART          0.30        /* det_throttle.c: one throttled connection's part */

/* ---- detectors/: windows, thresholds, caps ---- */
#define DROP_TIMEOUT_DEF   3          /* --syn-timeout default: wait before a drop verdict, s */
#define DROP_CANDIDATES_MAX 4096      /* drops.c: drop candidates held per detector */
#define DROP_HIST 256                 /* drops.h: destinations with a drop history (residual) */
#define RESIDUAL_SPAN_US (60ULL * 1000000)  /* drops.c: unanswered attempts over >= 60 s: residual blocking (GFW holds 90-180 s) */
#define SYN_DECIDE_AGE_US (120ULL * 1000000)   /* det_syndrop.c: candidates older than 120 s are decided */
#define DATA_DECIDE_AGE_US (120ULL * 1000000)  /* det_datadrop.c: candidates older than 120 s are decided */
#define QUIC_DECIDE_AGE_US (120ULL * 1000000)  /* det_quic.c: candidates older than 120 s are decided */
#define REQ_WAIT_US 1000000ULL        /* det_datadrop.c: request_unacked wait, us (RFC 6298 minimum RTO) */
#define ALIVE_SLOTS 1024              /* det_quic.c: servers seen alive over UDP (power of 2) */
#define DNS_HOLD_DEF 3000             /* --dns-hold default: a query held for racing answers, ms (Hold-On) */
#define DNS_PENDING_DEF 65536         /* --dns-pending-max default: DNS queries held at once */
#define DNS_MAX_RESP 4                /* det_dns.c: responses kept per query */
#define DNS_MAX_ADDR 8                /* det_dns.c: addresses kept per response */
#define RES_MAX 256                   /* det_dns.c: resolvers with a TTL/RTT baseline */
#define RES_RTT_SAMPLES 16            /* det_dns.c: round trips kept per resolver */
#define EMIT_DELAY_US (30ULL * 1000000)  /* det_dns.c: a query is retired 30 s after it was sent */
#define BURST_US 1000000              /* det_rst.c: RSTs of one burst lie within 1 s, us */
#define IDLE_RST_US (5ULL * 1000000)  /* det_rst.c: a RST > 5 s after the other side's last packet: idle teardown (NAT/firewall) */
#define RST_WINDOW (1u << 20)         /* det_rst.c: "in window" slack for seq_race, bytes */
#define RST_MAX 8                     /* det_rst.c: RSTs recorded per flow */
#define FP_MAX 64                     /* fingerprint.c: rules read from data/injectors.txt */
#define THR_MIN_BYTES   65536u             /* det_throttle.c: judged: delivered bytes   */
#define THR_MIN_US      (2ULL * 1000000)   /* det_throttle.c: judged: transfer time      */
#define THR_RATIO       4.0                /* det_throttle.c: others >= 4x the capped sum */
#define THR_FLAT        1.5                /* det_throttle.c: capped goodputs within 1.5x */
#define THR_WINDOW_US   (60ULL * 1000000)  /* det_throttle.c: comparison window         */
#define THR_LOSS_RATIO  0.10               /* det_throttle.c: lost / (delivered + lost)  */
#define THR_LOSS_SECS   3u                 /* det_throttle.c: distinct seconds with loss */
#define THR_IDLE_US     1000000ULL         /* det_throttle.c: a pause, not a stall       */
#define THR_MAX_REC     16384              /* det_throttle.c: transfers held before judging */

/* ---- report/ ---- */
#define DEST_HOSTS_MAX 16      /* dest.c: host names kept per destination */
#define DEST_IPS_MAX 16        /* dest.c: addresses kept per destination */
#define DEST_NAME_INLINE 48    /* dest.c: name bytes kept inside a destination's record, more are allocated (an IPv6 address's text fits) */
#define DEST_CHUNK 256         /* dest.c: destination records allocated at once (an evicted one is reused in place) */
#define DEST_SLOT_LOAD 2       /* dest.c: hash slots per destination at the cap (linear probing: short runs) */
#define DEST_SIGS_MAX 16       /* dest.c: signatures (type, stage) per destination */
#define SIG_EXAMPLES_MAX 5     /* dest.c: example community IDs per signature */
#define SIG_PORTS 8            /* dest.c: ports counted per repetition signature */
#define TL_BUCKETS 48          /* dest.c: hourly timeline: the last 48 hours */
#define MERGE_HOSTS_MAX    16  /* merge.h: hosts kept when merging (= DEST_HOSTS_MAX) */
#define MERGE_IPS_MAX      16  /* merge.h: addresses kept when merging (= DEST_IPS_MAX) */
#define MERGE_EXAMPLES_MAX 5   /* merge.h: examples kept when merging (= SIG_EXAMPLES_MAX) */
#define REPORT_SPLIT_MIN 2048  /* dest_json.c: destinations from which --threads 2 writes the array's text in two halves at once */
#define JW_FLUSH (256 * 1024)  /* jsonw.c: bytes a file writer gathers before writing them out */
#define JW_DEPTH 16            /* jsonw.c: nesting depth of a JSON document written */
#define LANES_MAX   60         /* html.c: timeline lanes drawn */
#define HOSTS_SHOWN 6          /* html.c: host names listed per destination row */
#define IPS_SHOWN   4          /* html.c: addresses listed per destination row */
#define OUTPUTS_KOPT_MAX 32    /* outputs.h: --kafka-opt settings at once */

/* ---- cli/ ---- */
#define MAX_WORKERS 64                /* cmd_capture.c: capture --workers at most */
#define DROP_RECENT_US 10000000ULL    /* cmd_capture.c: sensor_dropping: drops within 10 s */

#endif
