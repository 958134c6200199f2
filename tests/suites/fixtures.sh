#!/bin/sh
# pcaps/gen/ must be exactly what tests/tools/mkfixtures makes.
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
p=0; f=0
if ! build/tools/mkfixtures "$tmp"; then echo "FAIL mkfixtures"; echo "RESULT 0 1"; exit 1; fi
for g in "$tmp"/*.pcap; do
	n=$(basename "$g")
	if cmp -s "$g" "pcaps/gen/$n"; then p=$((p + 1)); else f=$((f + 1)); echo "FAIL fixture $n differs from pcaps/gen/$n (rerun build/tools/mkfixtures pcaps/gen)"; fi
done
echo "RESULT $p $f"
