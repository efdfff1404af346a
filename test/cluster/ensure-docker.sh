#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: installs Debian's docker.io if dockerd is
# missing, and starts dockerd in the background if nothing answers. Records the pid it started in
# $STATE_DIR/dockerd.pid so `down` stops only what we started. Idempotent.
set -euo pipefail
STATE_DIR="${MINIKUBE_SMOKE_STATE:-/var/lib/minikube-smoke}"
mkdir -p "$STATE_DIR/logs"

if ! command -v dockerd >/dev/null 2>&1; then
  if [ ! -f "$STATE_DIR/apt-updated" ]; then apt-get update -qq && touch "$STATE_DIR/apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi

# A killed dockerd leaves its pid file behind; dockerd refuses to start while it exists.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi
nohup dockerd >"$STATE_DIR/logs/dockerd.log" 2>&1 &
echo $! >"$STATE_DIR/dockerd.pid"
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "dockerd started (pid $(cat "$STATE_DIR/dockerd.pid"), log $STATE_DIR/logs/dockerd.log)"
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not answer within 30 s; see $STATE_DIR/logs/dockerd.log" >&2
tail -20 "$STATE_DIR/logs/dockerd.log" >&2
exit 1
