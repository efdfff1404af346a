#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: installs Debian's docker.io if dockerd is
# missing, and starts dockerd in the background if nothing answers. Records the pid it started in
# $STATE/pids/dockerd.pid (pid and start time) so `cluster.sh down --all` stops only what we
# started. Idempotent.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
mkdir -p "$LOGS" "$PIDS"

# Older versions of this script kept a bare pid in $STATE/dockerd.pid: adopt it if that pid is
# still a dockerd.
if [ -f "$STATE/dockerd.pid" ]; then
  old=$(cat "$STATE/dockerd.pid")
  if [ ! -f "$PIDS/dockerd.pid" ] && [ "$(cat "/proc/$old/comm" 2>/dev/null)" = dockerd ]; then
    record_pid dockerd "$old"
  fi
  rm -f "$STATE/dockerd.pid"
fi

if ! command -v dockerd >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi

# A killed dockerd leaves its pid file behind; dockerd refuses to start while it names a live pid.
# Removed only when it holds a pid that is gone: an empty one may be the file a dockerd starting
# right now has just created (dockerd itself overwrites one that does not parse).
stale_pid=$(cat /var/run/docker.pid 2>/dev/null || true)
case "$stale_pid" in
  '' | *[!0-9]*) ;;
  *) kill -0 "$stale_pid" 2>/dev/null || rm -f /var/run/docker.pid ;;
esac
# Its own session, so that whatever ran this script can end its process group without taking
# the engine down with it.
setsid dockerd >"$LOGS/dockerd.log" 2>&1 </dev/null &
record_pid dockerd $!
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "dockerd started (pid $(recorded_pid dockerd), log $LOGS/dockerd.log)"
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not answer within 30 s; see $LOGS/dockerd.log" >&2
tail -20 "$LOGS/dockerd.log" >&2
exit 1
