#!/usr/bin/env bash
# Real image test: builds the registry-free base (cached), builds the weather-service image on it,
# runs it the way Kubernetes will (read-only root, tmpfs /tmp, no capabilities, non-root), and checks
# it over HTTP on 127.0.0.1 only. The container is always removed (trap). Ends with
# "N passed, N failed" and exits non-zero on any failure.
#
# Env:
#   BASE_IMAGE  use this base instead of building the offline one (e.g. python:3.13-slim where a
#               registry is reachable)
#   IMAGE_TAG   tag for the built image (default weather-service:image-test)
#   STARTUP_TIMEOUT  seconds to wait for /healthz (default 60)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVICE_DIR="$(dirname "$HERE")"
REPO_DIR="$(dirname "$SERVICE_DIR")"
IMAGE_TAG="${IMAGE_TAG:-weather-service:image-test}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-60}"
PY="$(command -v python3)"
NAME="weather-image-test-$$"
PASSED=0
FAILED=0
CID=""
NWS_CID=""
FAKE_PID=""
FAKE_DIR=""

log() { echo "[image-test] $*"; }
pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1${2:+: $2}"; }
summary() { echo "$PASSED passed, $FAILED failed"; }

cleanup() {
  local c
  for c in $CID $NWS_CID; do
    if [ "$FAILED" -gt 0 ]; then
      echo "--- logs of container ${c:0:12} (last 30 lines) ---"
      docker logs --tail 30 "$c" 2>&1 || true
    fi
    docker rm -f "$c" >/dev/null 2>&1 || true
  done
  if [ -n "$FAKE_PID" ]; then
    kill "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
  fi
  [ -n "$FAKE_DIR" ] && rm -rf "$FAKE_DIR"
  summary  # always the last line
}
trap cleanup EXIT
abort() {  # a setup step failed: count it and stop (the EXIT trap prints the summary)
  fail "$1" "${2:-}"
  exit 1
}
now() { date +%s.%N; }
since() { "$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}s')" "$1" "$(now)"; }

# --- docker --------------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  if [ -f "$REPO_DIR/test/cluster/ensure-docker.sh" ]; then
    bash "$REPO_DIR/test/cluster/ensure-docker.sh" || abort "docker engine" "ensure-docker.sh failed"
  else
    abort "docker engine" "docker info fails"
  fi
fi

# --- base image ----------------------------------------------------------------------------------
t0=$(now)
if [ -z "${BASE_IMAGE:-}" ]; then
  BASE_IMAGE="$(bash "$SERVICE_DIR/scripts/build-offline-base.sh" | tail -n 1)" \
    || abort "offline base image" "scripts/build-offline-base.sh failed"
fi
log "base image $BASE_IMAGE ready in $(since "$t0")"

# --- build ---------------------------------------------------------------------------------------
t0=$(now)
old_id="$(docker image inspect -f '{{.Id}}' "$IMAGE_TAG" 2>/dev/null || true)"
if docker build --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg APP_VERSION=image-test \
    -t "$IMAGE_TAG" "$SERVICE_DIR" >/tmp/"$NAME".build.log 2>&1; then
  pass "docker build on $BASE_IMAGE ($(since "$t0"))"
  rm -f /tmp/"$NAME".build.log
  # Drop the previous build of this tag if nothing else uses it (no pile of dangling images).
  if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$IMAGE_TAG")" ]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
else
  tail -30 /tmp/"$NAME".build.log
  rm -f /tmp/"$NAME".build.log
  abort "docker build on $BASE_IMAGE"
fi

# --- run -----------------------------------------------------------------------------------------
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE_URL="http://127.0.0.1:$PORT"
CID="$(docker run -d --name "$NAME" -p "127.0.0.1:$PORT:5000" \
  --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
  -e WEATHER_PROVIDER=offline "$IMAGE_TAG")" || abort "docker run"

# http METHOD PATH [JSON_BODY] -> prints "STATUS BODY" (BODY on one line); never fails.
# Talks to $BASE_URL (always http://127.0.0.1:<port>).
http() {
  "$PY" - "$1" "$BASE_URL$2" "${3:-}" <<'PYEOF'
import sys, urllib.request, urllib.error
method, url, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None,
                             headers={"Content-Type": "application/json"} if body else {})
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        print(r.status, r.read().decode().replace("\n", " "))
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().replace("\n", " "))
except Exception as e:
    print(0, repr(e))
PYEOF
}

# check NAME "STATUS BODY" EXPECTED_STATUS PYTHON_ASSERTIONS(about `b`, the parsed body)
check() {
  local name="$1" answer="$2" want="$3" expr="$4" out
  if out="$("$PY" - "$answer" "$want" "$expr" 2>&1 <<'PYEOF'
import json, sys
answer, want, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
status, _, text = answer.partition(" ")
assert int(status) == want, f"status {status}, want {want}; body {text[:300]}"
b = json.loads(text)
exec(expr)
PYEOF
  )"; then
    pass "$name"
  else
    fail "$name" "$(echo "$out" | tail -n 1)"
  fi
}

t0=$(now)
deadline=$(( $(date +%s) + STARTUP_TIMEOUT ))
ready=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  if [ "$(docker inspect -f '{{.State.Running}}' "$CID" 2>/dev/null)" != "true" ]; then
    break
  fi
  if [ "$(http GET /healthz | cut -d' ' -f1)" = "200" ]; then
    ready=1
    break
  fi
  sleep 0.3
done
if [ -n "$ready" ]; then
  pass "container answers /healthz ($(since "$t0") after start)"
else
  abort "container answers /healthz within ${STARTUP_TIMEOUT}s"
fi

check "GET /healthz is 200 {status: ok}" "$(http GET /healthz)" 200 \
  'assert b["status"] == "ok", b; assert b["version"] == "image-test", b'
check "GET /readyz is 200 {status: ready, provider: offline}" "$(http GET /readyz)" 200 \
  'assert b == {"status": "ready", "provider": "offline", "detail": "ok"}, b'

CHICAGO_ASSERTS='
assert b["success"] is True, b
r = b["response"]
assert r["place"] == "Chicago", r["place"]
assert r["displayName"] == "Chicago, Illinois, United States", r["displayName"]
assert r["provider"] == "offline", r["provider"]
assert (r["latitude"], r["longitude"]) == (41.8781, -87.6298)
assert len(r["periods"]) == 14, len(r["periods"])
p = r["periods"][0]
assert p["number"] == 1 and p["name"] == "Today" and p["isDaytime"] is True, p
assert isinstance(p["temperature"], int) and p["temperatureUnit"] == "F", p
for k in ("startTime", "endTime", "windSpeed", "windDirection", "shortForecast", "detailedForecast"):
    assert isinstance(p[k], str) and p[k], k
'
check "GET /?msg=Chicago is 200 success with place Chicago and 14 periods" \
  "$(http GET '/?msg=Chicago')" 200 "$CHICAGO_ASSERTS"
check 'POST / {"msg": "chicago"} is 200 with place Chicago' \
  "$(http POST / '{"msg": "chicago"}')" 200 "$CHICAGO_ASSERTS"
check "GET /?msg=Atlantis is 404 place_not_found" "$(http GET '/?msg=Atlantis')" 404 \
  'assert b == {"success": False, "error": "no place found for '"'"'Atlantis'"'"'", "code": "place_not_found"}, b'
check "GET / without msg is 400" "$(http GET /)" 400 \
  'assert b["success"] is False and b["code"] == "bad_request" and "msg" in b["error"], b'

# --- security properties -------------------------------------------------------------------------
uid="$(docker exec "$CID" id -u 2>&1)"
if [ "$uid" = "10001" ]; then pass "docker exec id -u is 10001"; else fail "docker exec id -u is 10001" "got '$uid'"; fi

cfg_user="$(docker inspect -f '{{.Config.User}}' "$IMAGE_TAG")"
if [ "$cfg_user" = "10001:10001" ]; then pass "image USER is numeric 10001:10001"; else fail "image USER is numeric 10001:10001" "got '$cfg_user'"; fi

# every process in the container, gunicorn master (pid 1) and workers, runs as uid 10001
uids="$(docker exec "$CID" sh -c 'for f in /proc/[0-9]*/status; do awk "/^Uid:/ {print \$2}" "$f" 2>/dev/null; done' | sort -u | tr '\n' ' ')"
if [ "$uids" = "10001 " ]; then pass "all container processes run as uid 10001"; else fail "all container processes run as uid 10001" "uids: '$uids'"; fi

if docker exec "$CID" sh -c 'touch /app/x' >/dev/null 2>&1; then
  fail "root filesystem is read-only"
else
  pass "root filesystem is read-only"
fi
if docker exec "$CID" sh -c 'touch /tmp/x && rm /tmp/x' >/dev/null 2>&1; then
  pass "/tmp is writable"
else
  fail "/tmp is writable"
fi

# --- logs ----------------------------------------------------------------------------------------
# gunicorn logs a request after answering it and Docker copies the container's output on its own
# time, so the record may not be there yet, or half there: poll (bounded), complete lines only.
access_log_check() {
  docker logs "$CID" 2>/dev/null | "$PY" -c '
import json, sys
sys.path.insert(0, sys.argv[1])
from log_lines import split_complete
lines, _partial = split_complete(sys.stdin.buffer.read())
records = [json.loads(l) for l in lines if l.strip()]
assert records, "no access log lines on stdout"
hits = [r for r in records if r["path"] == "/" and r["query"] == "msg=Chicago"]
assert hits and hits[0]["status"] == 200 and hits[0]["method"] == "GET", f"no GET /?msg=Chicago 200 in {records}"
assert all(r["type"] == "access" for r in records)
' "$HERE" 2>&1
}
log_ok=""
for _ in $(seq 1 20); do
  log_err="$(access_log_check)" && { log_ok=1; break; }
  sleep 0.5
done
if [ -n "$log_ok" ]; then
  pass "stdout has one JSON access record per request"
else
  fail "stdout has one JSON access record per request" "$(echo "$log_err" | tail -n 1)"
fi
# stderr is gunicorn's own log: it must start without a warning (e.g. a setting it cannot honour).
errlog="$(docker logs "$CID" 2>&1 >/dev/null)"
if grep -qE '\[(WARNING|ERROR|CRITICAL)\]|Traceback' <<<"$errlog"; then
  fail "gunicorn's log (stderr) has no warnings or errors" "$(grep -m1 -E '\[(WARNING|ERROR|CRITICAL)\]|Traceback' <<<"$errlog")"
else
  pass "gunicorn's log (stderr) has no warnings or errors"
fi

# --- Docker HEALTHCHECK (python stdlib, no curl) -------------------------------------------------
t0=$(now)
health=""
for _ in $(seq 1 60); do
  health="$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$CID")"
  [ "$health" = "healthy" ] || [ "$health" = "unhealthy" ] && break
  sleep 0.5
done
if [ "$health" = "healthy" ]; then
  pass "docker HEALTHCHECK reports healthy ($(since "$t0"))"
else
  fail "docker HEALTHCHECK reports healthy" "status '$health'"
fi

# --- nws provider in the image, against the local fake upstream ------------------------------------
# Host network so that both the service and the fake stay on 127.0.0.1 (nothing else is contacted);
# no Docker healthcheck there, since it would probe port 5000 of the host.
FAKE_DIR="$(mktemp -d)"
"$PY" "$HERE/fake_upstream.py" "$FAKE_DIR/url" >"$FAKE_DIR/log" 2>&1 &
FAKE_PID=$!
# Only a complete line counts: the fake may be writing the file right now.
for _ in $(seq 1 50); do [ -s "$FAKE_DIR/url" ] && [ -z "$(tail -c 1 "$FAKE_DIR/url")" ] && break; sleep 0.1; done
FAKE_URL="$(head -n 1 "$FAKE_DIR/url" 2>/dev/null)"
case "$FAKE_URL" in
  http://127.0.0.1:*)
    NWS_PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    NWS_CID="$(docker run -d --name "$NAME-nws" --network host --no-healthcheck \
      --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
      -e WEATHER_PROVIDER=nws -e GUNICORN_BIND="127.0.0.1:$NWS_PORT" -e WEB_CONCURRENCY=1 \
      -e NOMINATIM_URL="$FAKE_URL" -e NWS_URL="$FAKE_URL" -e WEATHER_HTTP_TIMEOUT=3 \
      "$IMAGE_TAG")" || true
    MAIN_URL="$BASE_URL"
    BASE_URL="http://127.0.0.1:$NWS_PORT"
    up=""
    for _ in $(seq 1 100); do
      [ "$(http GET /readyz | cut -d' ' -f1)" = "200" ] && { up=1; break; }
      sleep 0.2
    done
    if [ -n "$NWS_CID" ] && [ -n "$up" ]; then
      check "nws provider: GET /?msg=Chicago is 200 from the fake NWS" "$(http GET '/?msg=Chicago')" 200 \
        'r = b["response"]; assert b["success"] is True and r["provider"] == "nws" and r["place"] == "Chicago", b; assert r["periods"][0]["name"] == "This Afternoon", r["periods"][0]'
      check "nws provider: Paris is 422 outside_coverage" "$(http GET '/?msg=Paris')" 422 \
        'assert b["success"] is False and b["code"] == "outside_coverage", b'
      check "nws provider: Atlantis is 404 place_not_found" "$(http POST / '{"msg": "Atlantis"}')" 404 \
        'assert b["success"] is False and b["code"] == "place_not_found", b'
    else
      fail "nws provider container starts (host network, 127.0.0.1:$NWS_PORT)"
    fi
    BASE_URL="$MAIN_URL"
    docker rm -f "$NWS_CID" >/dev/null 2>&1 || true
    NWS_CID=""
    ;;
  *)
    fail "fake upstream starts" "$(tail -5 "$FAKE_DIR/log")"
    ;;
esac
kill "$FAKE_PID" 2>/dev/null || true
wait "$FAKE_PID" 2>/dev/null || true
FAKE_PID=""

# --- graceful stop -------------------------------------------------------------------------------
t0=$(now)
docker stop -t 20 "$CID" >/dev/null 2>&1
code="$(docker inspect -f '{{.State.ExitCode}}' "$CID")"
if [ "$code" = "0" ]; then
  pass "SIGTERM stops gunicorn cleanly (exit 0, $(since "$t0"))"
else
  fail "SIGTERM stops gunicorn cleanly" "exit code $code"
fi

[ "$FAILED" -eq 0 ]
