#!/usr/bin/env bash
# Builds both images and runs every compose variant once, then removes the containers and the network. The
# check behind README.md, "Docker". As root, on a Debian 12 machine: installs docker.io and docker-compose
# when missing and starts a daemon if none runs (no iptables rules, no default bridge, and no IP forwarding:
# dockerd turns net.ipv4.ip_forward on by default, and then the root namespace routes the packets of any veth
# test out of the default route; stopped again at the end, with ip_forward as it was). Base images are made
# locally by docker/offline-images.sh (from the Debian mirror) unless they are there already, or PULL=1 says to
# take them from Docker Hub. Results land in docker/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dockerd > /dev/null || ! command -v docker-compose > /dev/null; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io docker-compose
fi
DOCKER=/usr/bin/docker
started=""
forwarding="$(cat /proc/sys/net/ipv4/ip_forward)"
if ! $DOCKER info > /dev/null 2>&1; then
    dockerd --iptables=false --ip-forward=false --bridge=none > /tmp/tas-kvs-dockerd.log 2>&1 &
    started=$!
    for _ in $(seq 1 60); do $DOCKER info > /dev/null 2>&1 && break; sleep 0.5; done
fi
compose() { docker-compose -p tas-kvs -f docker/compose.yml "$@"; }
cleanup()
{
    compose --profile engine --profile tap --profile memcached down > /dev/null 2>&1 || true
    if [ -n "$started" ]; then kill "$started"; wait "$started" 2> /dev/null || true; fi
    echo "$forwarding" > /proc/sys/net/ipv4/ip_forward
}
trap cleanup EXIT
if [ "${PULL:-0}" = 1 ]; then
    for image in debian:bookworm debian:bookworm-slim memcached:1.6; do $DOCKER pull -q "$image"; done
elif ! $DOCKER image inspect debian:bookworm debian:bookworm-slim memcached:1.6 > /dev/null 2>&1; then
    ./docker/offline-images.sh
fi
for image in server loadgen; do
    echo "== building tas-kvs/$image"
    DOCKER_BUILDKIT=1 $DOCKER build -q --network host -f "docker/Dockerfile.$image" -t "tas-kvs/$image" .
done
mkdir -p docker/results
for variant in "run --rm loadgen" "--profile memcached run --rm loadgen-memcached" \
    "--profile engine run --rm loadgen-engine" "--profile tap run --rm loadgen-tap"; do
    echo "== docker-compose $variant"
    # shellcheck disable=SC2086
    timeout 300 docker-compose -p tas-kvs -f docker/compose.yml $variant 2>&1 | grep -E '^(throughput|all |errors|hits)'
done
echo "== docker/results:"; ls docker/results
