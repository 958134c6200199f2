#!/bin/sh
# static.sh - static checks: cppcheck (warning, performance, portability)
# over dissectors/ and analyzer/, and a -Wall -Wextra -Wformat=2 -Wshadow
# compile of every source (gcc, and clang when installed) with -Werror.
cd "$(dirname "$0")/../.." || exit 2
p=0; f=0
ok()  { p=$((p + 1)); echo "ok $*"; }
bad() { f=$((f + 1)); echo "FAIL static: $*"; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

if command -v cppcheck > /dev/null; then
	if cppcheck --enable=warning,performance,portability --error-exitcode=1 \
	    -I analyzer -I dissectors -I analyzer/core -I analyzer/detectors -I analyzer/input -I analyzer/report -I analyzer/cli dissectors analyzer -q > "$tmp/cpp" 2>&1; then
		ok "cppcheck --enable=warning,performance,portability: clean"
	else
		bad "cppcheck:"; grep -E '^(analyzer|dissectors)/' "$tmp/cpp" | head -n 20
	fi
else
	echo "SKIP static: cppcheck not installed"
fi

ANI="-Ianalyzer -Ianalyzer/core -Ianalyzer/detectors -Ianalyzer/input -Ianalyzer/report -Ianalyzer/cli"
PKGF=$(pkg-config --cflags libpcap libndpi jansson 2>/dev/null)
WFLAGS="-std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Wformat=2 -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Werror"
for cc in gcc clang; do
	command -v $cc > /dev/null || { echo "SKIP static: $cc not installed"; continue; }
	: > "$tmp/w"
	for src in dissectors/*.c analyzer/*/*.c tests/tools/*.c tests/unit/*.c; do
		[ -f "$src" ] || continue
		# shellcheck disable=SC2086
		$cc $WFLAGS -Idissectors $ANI -Itests -DTS_DATADIR='"x"' $PKGF \
		    -fsyntax-only "$src" >> "$tmp/w" 2>&1
	done
	for src in tests/fuzz/fuzz_*.c tests/fuzz/replay.c tests/fuzz/mkseeds.c; do
		[ -f "$src" ] || continue
		# shellcheck disable=SC2086
		$cc $WFLAGS -Wno-missing-prototypes -Idissectors $ANI $PKGF \
		    -fsyntax-only "$src" >> "$tmp/w" 2>&1
	done
	if grep -qE 'warning|error' "$tmp/w"; then
		bad "$cc -Wall -Wextra -Wformat=2 -Wshadow:"; grep -E 'warning|error' "$tmp/w" | head -n 20
	else
		ok "$cc -Wall -Wextra -Wformat=2 -Wshadow -Werror: clean"
	fi
done
echo "RESULT $p $f"
[ "$f" -eq 0 ]
