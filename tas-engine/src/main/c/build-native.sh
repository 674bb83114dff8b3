#!/usr/bin/env bash
# Builds the DPDK shim, libtaskvs_dpdk.so, with gcc and pkg-config's flags for Debian's libdpdk (22.11).
# Run by the Maven build (tas-engine/pom.xml, compile phase):
#   build-native.sh <output dir> <classes dir> <required: true|false>
# The library goes to <output dir> (target/native) and, for jars, into <classes dir>/native/linux-x86_64/.
# Without DPDK's development files the build of everything else goes on: this prints a warning and builds
# nothing, unless required is true (-Ddpdk.required=true), when it fails. The DPDK backend then refuses to
# start with a message that says how to install them (scripts/install-test-deps.sh does, and `./kvs test`
# runs it first).
set -euo pipefail

out="$1"
classes="$2"
required="${3:-false}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source="$here/taskvs_dpdk.c"
library="$out/libtaskvs_dpdk.so"
packaged="$classes/native/linux-x86_64/libtaskvs_dpdk.so"

if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libdpdk; then
    message="DPDK development files not found (pkg-config libdpdk): the DPDK shim is not built. \
Install them with scripts/install-test-deps.sh, or apt-get install libdpdk-dev pkg-config."
    if [[ "$required" == "true" ]]; then
        echo "[ERROR] $message" >&2
        exit 1
    fi
    echo "[WARNING] $message" >&2
    rm -f "$library" "$packaged"
    exit 0
fi

mkdir -p "$out" "$(dirname "$packaged")"
if [[ ! -f "$library" || "$source" -nt "$library" || "$0" -nt "$library" ]]; then
    # -fvisibility=hidden: only the TKD_API functions are exported. -Wl,--no-undefined: a missing DPDK
    # symbol fails here, not at the first call from Java.
    # shellcheck disable=SC2046
    gcc -O2 -g -std=gnu11 -fPIC -shared -fvisibility=hidden -Wall -Wextra \
        -o "$library.tmp" "$source" $(pkg-config --cflags --libs libdpdk) -Wl,--no-undefined
    mv "$library.tmp" "$library"
    echo "[INFO] built $library with DPDK $(pkg-config --modversion libdpdk)" >&2
fi
cp -p "$library" "$packaged"
