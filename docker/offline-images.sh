#!/usr/bin/env bash
# Makes the base images compose.yml needs on a machine that cannot pull from Docker Hub but can reach a Debian
# mirror: debian:bookworm and debian:bookworm-slim from debootstrap (minbase), and a memcached:1.6 stand-in
# (Debian's memcached 1.6 on that base; the official image runs memcached the same way). CA certificates in
# /usr/local/share/ca-certificates are copied in, so builds behind a TLS-inspecting proxy can reach Maven
# Central. Where Docker Hub is reachable none of this is needed. Needs root, debootstrap and a Docker engine.
set -euo pipefail
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
command -v debootstrap > /dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }

echo "debootstrap bookworm from $MIRROR ..."
debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" > "$WORK/debootstrap.log" \
    || { tail -20 "$WORK/debootstrap.log"; exit 1; }
cat > "$WORK/rootfs/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
SOURCES
mkdir -p "$WORK/rootfs/usr/local/share/ca-certificates"
cp /usr/local/share/ca-certificates/*.crt "$WORK/rootfs/usr/local/share/ca-certificates/" 2> /dev/null || true
rm -rf "$WORK/rootfs/var/lib/apt/lists/"* "$WORK/rootfs/var/cache/apt/"*.bin
tar -C "$WORK/rootfs" -c . | docker import - debian:bookworm > /dev/null
docker tag debian:bookworm debian:bookworm-slim

docker build --network host -t memcached:1.6 - <<'DOCKERFILE'
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends memcached && rm -rf /var/lib/apt/lists/*
USER memcache
EXPOSE 11211
ENTRYPOINT ["memcached"]
DOCKERFILE
docker images debian
docker images memcached
