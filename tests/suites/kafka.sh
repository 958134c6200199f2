#!/bin/sh
# Kafka sink: round trip through librdkafka's in-process mock cluster (no
# external broker): every tamper event arrives, in order, keyed by the
# sensor id; `analyze --kafka` (run under the ASan build when present)
# delivers the same; an unreachable broker is reported (exit 3).
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
tool=$BUILD/tools/kafka_roundtrip
[ -x "$tool" ] || make --no-print-directory "$tool" >/dev/null 2>&1
if [ ! -x "$tool" ]; then
	echo "FAIL kafka: $tool not built"
	echo "RESULT 0 1"
	exit 1
fi
bin=./tamperscope
[ -x ./tamperscope-asan ] && bin=./tamperscope-asan
# the GFW capture (many events) is in ../shared; without it the project's
# own captures still give events to carry
trip=../shared/pcaps/interference/tripwire_gfw_server-side_sll-vlan_youporn-wikipedia.pcap
if [ ! -f "$trip" ]; then
	echo "SKIP kafka: $trip absent (../shared): round trip over the project's captures only"
	trip=
fi
out=$("$tool" -b "$bin" $trip pcaps/lab/demo.pcap pcaps/lab/dns_onpath_v4.pcap 2>/tmp/kafka_roundtrip.$$.err)
rc=$?
printf '%s\n' "$out"
if grep -q -e AddressSanitizer -e 'runtime error' /tmp/kafka_roundtrip.$$.err; then
	echo "FAIL kafka: sanitizer report"
	cat /tmp/kafka_roundtrip.$$.err
	rm -f /tmp/kafka_roundtrip.$$.err
	echo "RESULT 0 1"
	exit 1
fi
rm -f /tmp/kafka_roundtrip.$$.err
exit $rc
