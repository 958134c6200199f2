#!/bin/sh
# layering.sh - no arrow runs back up the include graph
# (docs/architecture.md, "Layers").  Every `#include "x.h"` in
# analyzer/ and dissectors/ is mapped to the one stage folder holding x.h
# (the Makefile's -I paths are flat, so a name must be unique) and checked
# against the stage order, lowest first:
#
#   tunables.h < dissectors < core < detectors < report < input < cli
#
# A file may include headers of its own stage and of stages below it.
# detectors/ sees core/ only through the detector interface: det_api.h,
# detector.h, catalog.h, util.h and the headers det_api.h and detector.h
# include themselves.  The checker also runs on a planted back arrow and
# must catch it, so it cannot pass by checking nothing.
cd "$(dirname "$0")/../.." || exit 2
p=0; f=0
ok()  { p=$((p + 1)); echo "ok $*"; }
bad() { f=$((f + 1)); echo "FAIL layering: $*"; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# check ROOT: print one line per violation under ROOT (nothing: clean)
# and "checked N" last.
check() {
	root=$1
	( cd "$root" && find analyzer dissectors -name '*.h' -type f | LC_ALL=C sort ) > "$tmp/headers"
	( cd "$root" && find analyzer dissectors \( -name '*.c' -o -name '*.h' \) -type f | LC_ALL=C sort |
	  xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' /dev/null ) > "$tmp/incl"
	awk '
	function stage(path,   n, a) {
		if (path == "analyzer/tunables.h") return "base"
		n = split(path, a, "/")
		if (a[1] == "dissectors") return "dissectors"
		return n >= 3 ? a[2] : "?"
	}
	function closure(h,   i, t) {          # h and what it includes, transitively
		if (h in seen) return
		seen[h] = 1
		for (i = 1; i <= ninc[h]; i++) closure(inc[h, i])
	}
	BEGIN {
		split("base dissectors core detectors report input cli", order, " ")
		for (i = 1; i in order; i++) rank[order[i]] = i
		split("det_api.h detector.h catalog.h util.h", iface, " ")
	}
	FNR == NR {                            # the headers
		n = split($0, a, "/"); b = a[n]
		if (b in where) dup[b] = dup[b] " " $0
		else where[b] = $0
		next
	}
	{                                      # file:line:#include "x.h"
		split($0, a, ":"); file = a[1]; line = a[2]
		name = $0; sub(/^[^"]*"/, "", name); sub(/".*$/, "", name)
		k++; src[k] = file; ln[k] = line; tgt[k] = name
		n = split(file, fa, "/"); fb = fa[n]
		if (file ~ /\.h$/) inc[fb, ++ninc[fb]] = name
	}
	END {
		for (b in dup) print "header name in two places:", where[b] dup[b]
		for (i in iface) closure(iface[i])
		for (i = 1; i <= k; i++) {
			s = stage(src[i]); name = tgt[i]; at = src[i] ":" ln[i]
			if (!(s in rank)) { print at ": file outside the stage folders"; continue }
			if (name ~ /\//) { print at ": includes \"" name "\" by path (flat -I names only)"; continue }
			if (!(name in where)) { print at ": \"" name "\" is in no stage folder"; continue }
			t = stage(where[name])
			if (rank[t] > rank[s]) {
				print at ": " s " includes " where[name] " (" t ", a later stage)"
				continue
			}
			if (s == "detectors" && t != "detectors" && t != "base" && !(name in seen))
				print at ": detectors include " where[name] ", not the detector interface"
		}
		print "checked " k
	}' "$tmp/headers" "$tmp/incl"
}

check . > "$tmp/out"
n=$(sed -n 's/^checked //p' "$tmp/out")
if grep -qv '^checked ' "$tmp/out"; then
	grep -v '^checked ' "$tmp/out" | while IFS= read -r l; do echo "FAIL layering: $l"; done
	f=$((f + $(grep -vc '^checked ' "$tmp/out")))
elif [ "${n:-0}" -gt 0 ]; then
	ok "$n includes in analyzer/ and dissectors/: no back arrow"
else
	bad "no #include found: nothing checked"
fi

# The checker must catch what it is for: a core file including a report
# header, a detector reaching past the interface, a name in two folders.
mkdir -p "$tmp/t/analyzer/core" "$tmp/t/analyzer/report" "$tmp/t/analyzer/detectors" "$tmp/t/dissectors"
printf '#include "out.h"\n' > "$tmp/t/analyzer/core/a.c"
printf '#include "int.h"\n' > "$tmp/t/analyzer/detectors/d.c"
: > "$tmp/t/analyzer/report/out.h"; : > "$tmp/t/analyzer/core/int.h"
: > "$tmp/t/analyzer/core/det_api.h"; : > "$tmp/t/dissectors/out.h"
if [ "$(check "$tmp/t" | grep -c -e 'a later stage' -e 'not the detector interface' \
    -e 'in two places')" -eq 3 ]; then
	ok "a planted back arrow, a detector past its interface and a doubled name are caught"
else
	bad "the checker missed planted violations:"; check "$tmp/t"
fi
echo "RESULT $p $f"
[ "$f" -eq 0 ]
