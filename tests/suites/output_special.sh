#!/bin/sh
# -o / --text onto a non-regular file (FIFO, character device) must write in
# place, never rename over it (a rename once replaced /dev/null with a
# regular file).  Uses a FIFO, so a regression cannot harm the system.
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
p=0; f=0
ok() { if [ "$1" = 0 ]; then p=$((p + 1)); else f=$((f + 1)); echo "FAIL $2"; fi; }
mkfifo "$tmp/fifo"
cat "$tmp/fifo" > "$tmp/out.json" &
reader=$!
./tamperscope analyze -q -o "$tmp/fifo" pcaps/gen/rst_forged.pcap
ok $? "analyze -o FIFO exits 0"
wait "$reader"
[ -p "$tmp/fifo" ]; ok $? "the FIFO is still a FIFO after -o FIFO"
/usr/bin/python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/out.json"
ok $? "the report came through the FIFO"
ls "$tmp" | grep -q tmp; [ $? -ne 0 ]; ok $? "no temporary file left beside the FIFO"
./tamperscope analyze -q --format text -o /dev/stdout pcaps/gen/rst_forged.pcap > "$tmp/t.txt"
grep -q twitter.com "$tmp/t.txt"; ok $? "--format text -o /dev/stdout writes in place"
echo "RESULT $p $f"
