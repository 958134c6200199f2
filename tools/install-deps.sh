#!/bin/sh
# Install the Debian 12 packages tamperscope needs to build and test.
# Runs apt-get as root, or through sudo.  Idempotent.
set -e
BUILD="build-essential pkg-config libpcap-dev libndpi-dev libjansson-dev xz-utils librdkafka-dev libmaxminddb-dev libpsl-dev libgcrypt20-dev"
TEST="python3-jsonschema python3-scapy tcpdump tshark dnsmasq iproute2 iptables ethtool curl openssl libndpi-bin clang time chromium libmaxmind-db-writer-perl libclang-rt-14-dev cppcheck"
want=""
for p in $BUILD ${TS_TEST_DEPS:+$TEST}; do
	dpkg -s "$p" >/dev/null 2>&1 || want="$want $p"
done
[ -z "$want" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "tamperscope: installing:$want" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends $want >&2
