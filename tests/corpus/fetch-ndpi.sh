#!/bin/sh
# Fetch the tests/pcap/ directory of Debian's ndpi 4.2 source package into a
# cache outside the repository.  Prints the pcap directory on stdout (exit 0),
# or "SKIP: reason" on stdout and exits 3 when it cannot be fetched here.
set -u
CACHE=${TS_CORPUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tamperscope/ndpi-4.2}
PCAPS=$CACHE/tests/pcap
if [ -d "$PCAPS" ] && [ -f "$CACHE/.complete" ]; then
	echo "$PCAPS"; exit 0
fi
skip() { echo "SKIP: $*"; exit 3; }
have_src() { apt-cache showsrc ndpi 2>/dev/null | grep -q '^Version: 4\.2'; }
if ! have_src; then
	if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; then
		f=/etc/apt/sources.list.d/tamperscope-deb-src.sources
		# the same archive, suites and key as the machine's deb822 'deb' entry
		src=/etc/apt/sources.list.d/debian.sources
		uris=http://deb.debian.org/debian; key=/usr/share/keyrings/debian-archive-keyring.gpg
		if [ -f "$src" ]; then
			u=$(awk '/^URIs:/ && !/security/ {print $2; exit}' "$src"); [ -n "$u" ] && uris=$u
			k=$(awk '/^Signed-By:/ {print $2; exit}' "$src"); [ -n "$k" ] && key=$k
		fi
		printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: %s\n' \
			"$uris" "$key" > "$f"
		echo "corpus: added $f, running apt-get update" >&2
		apt-get update -qq >&2 || skip "apt-get update failed"
		have_src || skip "no ndpi 4.2 source in the archive after adding $f"
	else
		skip "needs Debian's ndpi 4.2 source package: add a deb-src entry (e.g. 'Types: deb-src' next to 'Types: deb' in /etc/apt/sources.list.d/debian.sources), run apt-get update, or run as root with CI=true; or put its tests/pcap/ in $PCAPS and touch $CACHE/.complete"
	fi
fi
dl=$CACHE.dl
mkdir -p "$dl" || skip "cannot create $dl"
# The pcaps are in the upstream tarball; the Debian diff (debian/) does not
# touch tests/pcap.  apt-get fails as a whole when one file of the package is
# missing from the mirror, so the orig tarball is taken when it is there and
# its SHA-256 matches the .dsc.
orig=$(ls "$dl"/ndpi_4.2.orig.tar.* 2>/dev/null | head -1)
if [ -z "$orig" ]; then
	( cd "$dl" && apt-get source --download-only -qq ndpi=4.2-2 >&2 ) ||
		echo "corpus: apt-get source reported an error; using the orig tarball if it arrived" >&2
	orig=$(ls "$dl"/ndpi_4.2.orig.tar.* 2>/dev/null | head -1)
fi
dsc=$(ls "$dl"/ndpi_4.2*.dsc 2>/dev/null | head -1)
[ -n "$orig" ] && [ -n "$dsc" ] || skip "apt-get source ndpi did not deliver ndpi_4.2.orig.tar.* and the .dsc"
want=$(awk -v f="$(basename "$orig")" '/^Checksums-Sha256:/ {c=1; next} /^[^ ]/ {c=0} c && $3 == f {print $1}' "$dsc")
got=$(sha256sum "$orig" | cut -d' ' -f1)
[ -n "$want" ] && [ "$want" = "$got" ] || { rm -f "$orig"; skip "$(basename "$orig"): SHA-256 does not match the .dsc"; }
rm -rf "$dl/x" && mkdir -p "$dl/x" &&
	tar -xf "$orig" -C "$dl/x" --wildcards '*/tests/pcap/*' || skip "cannot extract tests/pcap from $orig"
top=$(ls "$dl/x" | head -1)
[ -d "$dl/x/$top/tests/pcap" ] || skip "no tests/pcap in $orig"
rm -rf "$CACHE" && mkdir -p "$CACHE/tests" && mv "$dl/x/$top/tests/pcap" "$CACHE/tests/pcap" &&
	cp "$dsc" "$CACHE/" && rm -rf "$dl" && touch "$CACHE/.complete" || skip "cannot fill $CACHE"
echo "$PCAPS"
