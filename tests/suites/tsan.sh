#!/bin/sh
# tsan.sh - code that capture workers (threads) share, built with
# ThreadSanitizer: test_quic_threads.c against dissectors/quic.c and
# tls_sni.c.  A data race report fails the suite.
cd "$(dirname "$0")/../.." || exit 2
p=0; f=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
cc=""
for c in clang gcc; do
	command -v $c > /dev/null && echo 'int main(void){return 0;}' > "$tmp/t.c" &&
		$c -fsanitize=thread -o "$tmp/t" "$tmp/t.c" 2> /dev/null && { cc=$c; break; }
done
if [ -z "$cc" ]; then
	echo "SKIP tsan: no compiler here links -fsanitize=thread (clang with libclang-rt-14-dev, or gcc with libtsan)"
	echo "RESULT 0 0"; exit 0
fi
# shellcheck disable=SC2046
if ! $cc -std=c11 -D_DEFAULT_SOURCE -O1 -g -fsanitize=thread -Ianalyzer -Idissectors -Itests \
    -o "$tmp/qt" tests/unit/test_quic_threads.c dissectors/quic.c dissectors/tls_sni.c \
    $(pkg-config --cflags --libs libgcrypt) -lpthread > "$tmp/build" 2>&1; then
	echo "FAIL tsan: build of test_quic_threads with $cc -fsanitize=thread:"; head -n 20 "$tmp/build"
	echo "RESULT 0 1"; exit 1
fi
TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$tmp/qt" > "$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q 'ThreadSanitizer' "$tmp/out"; then
	p=$((p + 1)); echo "ok quic key derivation in 4 threads: no data race ($cc)"
else
	f=$((f + 1)); echo "FAIL tsan: test_quic_threads (exit $rc):"; head -n 30 "$tmp/out"
fi
echo "RESULT $p $f"
