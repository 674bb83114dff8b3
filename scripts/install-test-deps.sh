#!/usr/bin/env bash
# Installs, with apt-get, whatever the test suite needs and this machine lacks. Tests never skip for a missing
# tool: they fail, so this script must bring everything they use.
set -euo pipefail

need=()
command -v memcached >/dev/null || need+=(memcached)
command -v memccat >/dev/null || need+=(libmemcached-tools)
command -v ip >/dev/null || need+=(iproute2)
command -v ethtool >/dev/null || need+=(ethtool)
command -v socat >/dev/null || need+=(socat)
command -v nc >/dev/null || need+=(netcat-openbsd)
command -v ping >/dev/null || need+=(iputils-ping)
command -v mvn >/dev/null || need+=(maven)
# The DPDK backend: gcc builds its shim against libdpdk-dev (found through pkg-config); dpdk brings the
# runtime libraries, PMDs and dpdk-devbind.py/dpdk-hugepages.py.
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
dpkg-query -W -f='${Status}' libdpdk-dev 2>/dev/null | grep -q 'ok installed' || need+=(libdpdk-dev)
dpkg-query -W -f='${Status}' dpdk 2>/dev/null | grep -q 'ok installed' || need+=(dpdk)

if [[ ${#need[@]} -gt 0 ]]; then
    echo "install-test-deps: installing ${need[*]}" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# A memcached started by the package would hold 11211; the tests start their own on free ports.
if command -v systemctl >/dev/null && systemctl is-active --quiet memcached 2>/dev/null; then
    systemctl stop memcached || true
fi
echo "install-test-deps: memcached $(memcached -V | awk '{print $2}'), $(java -version 2>&1 | head -1)" >&2
