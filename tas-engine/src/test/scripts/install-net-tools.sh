#!/usr/bin/env bash
# Installs the tools the TAP and AF_PACKET tests drive (ip, ping, ethtool) when they are missing.
# CI runs as root on Debian; the tests call this instead of skipping, so a missing tool is fixed or fails loudly.
set -euo pipefail
need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v ethtool >/dev/null 2>&1 || need+=(ethtool)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
