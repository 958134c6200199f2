#!/bin/sh
# Install the Debian 12 packages tamperscope needs to build (always) and to
# test (with TS_TEST_DEPS=1; `make test` sets it).  Runs apt-get as root,
# or through sudo when that needs no password; otherwise it says what is
# missing and exits 1 (the test suites then SKIP what needs those
# packages).  A package that cannot be installed does not stop the others.
# Idempotent: nothing happens when everything is installed.
set -e
BUILD="build-essential pkg-config libpcap-dev libndpi-dev libjansson-dev xz-utils librdkafka-dev libmaxminddb-dev libpsl-dev libgcrypt20-dev"
TEST="python3-jsonschema python3-scapy tcpdump tshark dnsmasq iproute2 iptables ethtool curl openssl libndpi-bin clang time chromium libmaxmind-db-writer-perl libclang-rt-14-dev cppcheck groff-base man-db"
want=""
for p in $BUILD ${TS_TEST_DEPS:+$TEST}; do
	dpkg -s "$p" >/dev/null 2>&1 || want="$want $p"
done
[ -z "$want" ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO="sudo -n"
	else
		echo "tamperscope: not root and no password-less sudo: cannot install:$want" >&2
		exit 1
	fi
fi
echo "tamperscope: installing:$want" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || echo "tamperscope: apt-get update failed, trying the cached lists" >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $want >&2 && exit 0
# one by one, so that one unavailable package does not block the rest
failed=""
for p in $want; do
	$SUDO apt-get install -y -qq --no-install-recommends "$p" >&2 || failed="$failed $p"
done
[ -z "$failed" ] && exit 0
echo "tamperscope: could not install:$failed" >&2
exit 1
