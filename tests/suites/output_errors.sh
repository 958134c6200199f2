#!/bin/sh
# output_errors.sh - output failures: unwritable -o path, read-only
# directory, full disk (/dev/full for -e; a 64 KiB tmpfs for -o/--text/-e,
# a full-device node for -o).  Each must give exactly one
# "tamperscope: " stderr line, exit 3, and leave no partial report under
# the final name (an existing report stays as it was).
# The filesystem cases run in a private mount namespace (unshare -m, root);
# without it they are skipped.
cd "$(dirname "$0")/../.." || exit 2
BIN=${BIN:-./tamperscope}
IN=pcaps/gen/rst_forged.pcap        # produces a tamper event
p=0; f=0
pass() { p=$((p + 1)); echo "ok $*"; }
bad()  { f=$((f + 1)); echo "FAIL output_errors: $*"; }

# expect3 NAME ERRFILE RC: exit 3 and one "tamperscope: " line.
expect3() {
	n=$(wc -l < "$2")
	if [ "$3" -ne 3 ]; then bad "$1: exit $3, want 3"; sed -n 1,5p "$2"; return 1; fi
	if [ "$n" -ne 1 ] || ! grep -q '^tamperscope: ' "$2"; then
		bad "$1: want one 'tamperscope: ' stderr line, got $n:"; sed -n 1,5p "$2"; return 1
	fi
	return 0
}

if [ "$1" != "--inside" ]; then
	[ -x "$BIN" ] || { bad "$BIN missing"; echo "RESULT $p $f"; exit 1; }
	[ -f "$IN" ] || { bad "$IN missing"; echo "RESULT $p $f"; exit 1; }
	tmp=$(mktemp -d) || exit 2
	trap 'rm -rf "$tmp"' EXIT

	# 1. -o into a directory that does not exist
	"$BIN" analyze -q -o /nonexistent/dir/x.json "$IN" > /dev/null 2> "$tmp/err"
	expect3 "-o /nonexistent/dir/x.json" "$tmp/err" $? &&
		{ [ ! -e /nonexistent/dir/x.json ] && pass "-o /nonexistent/dir/x.json: exit 3, one line: $(cat "$tmp/err")" ||
		  bad "-o /nonexistent: file appeared"; }

	# 2. --text into a directory that does not exist
	"$BIN" analyze -q -o "$tmp/r.json" --text /nonexistent/dir/x.txt "$IN" > /dev/null 2> "$tmp/err"
	expect3 "--text /nonexistent/dir/x.txt" "$tmp/err" $? && pass "--text /nonexistent/dir/x.txt: exit 3"

	# 3. -e into a directory that does not exist: fails before reading input
	"$BIN" analyze -q -o "$tmp/r2.json" -e /nonexistent/dir/ev.jsonl "$IN" > /dev/null 2> "$tmp/err"
	expect3 "-e /nonexistent/dir/ev.jsonl" "$tmp/err" $? &&
		{ [ ! -e "$tmp/r2.json" ] && pass "-e /nonexistent/dir/ev.jsonl: exit 3, no report" ||
		  bad "-e /nonexistent: a report was written though the run failed"; }

	# 4. -e /dev/full: the event lines cannot be written
	"$BIN" analyze -q -o "$tmp/r3.json" -e /dev/full "$IN" > /dev/null 2> "$tmp/err"
	expect3 "-e /dev/full" "$tmp/err" $? && pass "-e /dev/full: exit 3: $(cat "$tmp/err")"

	# 5. -o a directory
	mkdir "$tmp/adir"
	"$BIN" analyze -q -o "$tmp/adir" "$IN" > /dev/null 2> "$tmp/err"
	rc=$?
	if expect3 "-o DIRECTORY" "$tmp/err" $rc; then
		[ -d "$tmp/adir" ] && [ -z "$(ls "$tmp/adir")" ] && pass "-o DIRECTORY: exit 3, directory untouched" ||
			bad "-o DIRECTORY: directory changed"
	fi
	# leftovers of any case above
	left=$(ls "$tmp" | grep -c 'tmp')
	[ "$left" -eq 0 ] && pass "no temporary files left in the output directory" ||
		bad "temporary files left: $(ls "$tmp")"

	if [ "$(id -u)" -eq 0 ] && command -v unshare > /dev/null &&
	   unshare -m true 2> /dev/null; then
		unshare -m sh "$0" --inside > "$tmp/inside" 2>&1
		cat "$tmp/inside"
		ip=$(sed -n 's/^INSIDE \([0-9]*\) \([0-9]*\)$/\1/p' "$tmp/inside")
		if=$(sed -n 's/^INSIDE \([0-9]*\) \([0-9]*\)$/\2/p' "$tmp/inside")
		if [ -z "$ip" ]; then bad "mount-namespace cases did not finish"; else
			p=$((p + ip)); f=$((f + if)); fi
	else
		echo "SKIP output_errors: read-only / full filesystem cases need root and unshare -m"
	fi
	echo "RESULT $p $f"
	[ "$f" -eq 0 ]
	exit
fi

# ---- inside a private mount namespace ----
mount --make-rprivate / 2> /dev/null
m=$(mktemp -d) || exit 2
e=$(mktemp) || exit 2                  # stderr, off the full filesystem
cleanup() { umount "$m/ro" 2> /dev/null; umount "$m" 2> /dev/null; rmdir "$m" 2> /dev/null; rm -f "$e"; }
trap cleanup EXIT
if ! mount -t tmpfs -o size=64k,mode=755 tmpfs "$m"; then
	echo "SKIP output_errors: cannot mount a tmpfs"; echo "INSIDE 0 0"; exit 0
fi

# 6. read-only directory (root ignores mode bits: a read-only bind mount)
mkdir "$m/ro"
mount --bind "$m/ro" "$m/ro" && mount -o remount,bind,ro "$m/ro"
"$BIN" analyze -q -o "$m/ro/x.json" "$IN" > /dev/null 2> "$e"
if expect3 "-o READONLY/x.json" "$e" $?; then
	[ -z "$(ls "$m/ro")" ] && pass "-o READONLY/x.json: exit 3, nothing written: $(cat "$e")" ||
		bad "-o READONLY: files appeared: $(ls "$m/ro")"
fi
"$BIN" analyze -q -o /dev/null -e "$m/ro/ev.jsonl" "$IN" > /dev/null 2> "$e"
expect3 "-e READONLY/ev.jsonl" "$e" $? && pass "-e READONLY/ev.jsonl: exit 3"
umount "$m/ro"

# 7. full filesystem, with an old report and table in place
mkdir "$m/out"
echo '{"old": true}' > "$m/out/x.json"
echo 'old table' > "$m/out/x.txt"
mknod "$m/out/full" c 1 7 2> /dev/null       # a /dev/full inside the tmpfs
dd if=/dev/zero of="$m/fill" bs=1024 count=128 2> /dev/null   # stops at ENOSPC
sync
unchanged() {
	[ "$(cat "$m/out/x.json")" = '{"old": true}' ] && [ "$(cat "$m/out/x.txt")" = 'old table' ] &&
	[ -z "$(ls "$m/out" | grep -v '^x\.json$' | grep -v '^x\.txt$' | grep -v '^full$')" ]
}
"$BIN" analyze -q -o "$m/out/x.json" "$IN" > /dev/null 2> "$e"
if expect3 "-o FULLFS/x.json" "$e" $?; then
	unchanged && pass "-o FULLFS/x.json: exit 3, old report kept, no temp file: $(cat "$e")" ||
		bad "-o FULLFS: report or directory changed: $(ls "$m/out")"
fi
"$BIN" analyze -q -o "$m/out/x.txt" --format text "$IN" > /dev/null 2> "$e"
if expect3 "--format text -o FULLFS/x.txt" "$e" $?; then
	unchanged && pass "--format text -o FULLFS/x.txt: exit 3, old table kept" ||
		bad "--format text -o FULLFS: changed: $(ls "$m/out")"
fi
"$BIN" analyze -q -o /dev/null --text "$m/out/x.txt" "$IN" > /dev/null 2> "$e"
expect3 "--text FULLFS/x.txt" "$e" $? && { unchanged && pass "--text FULLFS/x.txt: exit 3" ||
	bad "--text FULLFS: changed"; }
"$BIN" analyze -q -o /dev/null -e "$m/out/ev.jsonl" "$IN" > /dev/null 2> "$e"
expect3 "-e FULLFS/ev.jsonl" "$e" $? && pass "-e FULLFS/ev.jsonl: exit 3"
rm -f "$m/out/ev.jsonl"
if [ -c "$m/out/full" ]; then
	"$BIN" analyze -q -o "$m/out/full" "$IN" > /dev/null 2> "$e"
	rc=$?
	if expect3 "-o FULLDEVICE" "$e" $rc; then
		[ -c "$m/out/full" ] && pass "-o FULLDEVICE (a /dev/full node): exit 3, still a device" ||
			bad "-o FULLDEVICE: the device node was replaced"
	fi
else
	echo "SKIP output_errors: mknod refused, -o full device not tested"
fi
echo "INSIDE $p $f"
