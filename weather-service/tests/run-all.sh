#!/usr/bin/env bash
# All weather-service tests: pytest (unit + local fake upstream + gunicorn + manifests), then the
# real image test. Installs what it needs from Debian on a fresh machine. Ends with one line
# "N passed, N failed" over both parts; exits non-zero if either part failed.
#
# Env: PYTHON (default /usr/bin/python3, where Debian's python3-flask/gunicorn/pytest live),
#      SKIP_IMAGE_TEST=1 to run only pytest.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVICE_DIR="$(dirname "$HERE")"
PYTHON="${PYTHON:-/usr/bin/python3}"
export PYTHONDONTWRITEBYTECODE=1

log() { echo "[run-all] $*"; }

# --- dependencies (Debian packages; the only runtime deps are flask + gunicorn) ------------------
if ! "$PYTHON" -c 'import flask, gunicorn, pytest, yaml' >/dev/null 2>&1; then
  if [ "$PYTHON" = /usr/bin/python3 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing python3-flask gunicorn python3-pytest python3-yaml"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq python3 python3-flask gunicorn python3-pytest python3-yaml >/dev/null \
      || { echo "apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
  else
    echo "$PYTHON lacks flask/gunicorn/pytest/yaml"
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# --- pytest --------------------------------------------------------------------------------------
start=$(date +%s)
log "pytest ($("$PYTHON" --version 2>&1))"
(cd "$SERVICE_DIR" && "$PYTHON" -m pytest tests -p no:cacheprovider -q -rs --junitxml="$TMP/junit.xml")
pytest_rc=$?
log "pytest exit $pytest_rc in $(( $(date +%s) - start ))s"
read -r py_passed py_failed < <("$PYTHON" - "$TMP/junit.xml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 1)
    sys.exit()
suites = [root] if root.tag == "testsuite" else list(root)
total = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(total - bad - skipped, bad)
PYEOF
)
if [ "$pytest_rc" -ne 0 ] && [ "$py_failed" -eq 0 ]; then
  py_failed=1  # e.g. exit 5 (no tests collected) or a collection error
fi

# --- image test ----------------------------------------------------------------------------------
img_passed=0
img_failed=0
image_rc=0
if [ "${SKIP_IMAGE_TEST:-0}" != "1" ]; then
  start=$(date +%s)
  log "image-test.sh"
  bash "$HERE/image-test.sh" | tee "$TMP/image.out"
  image_rc=${PIPESTATUS[0]}
  log "image-test exit $image_rc in $(( $(date +%s) - start ))s"
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/image.out" | tail -n 1)"
  if [ -n "$line" ]; then
    img_passed="${line%% passed*}"
    img_failed="$(echo "$line" | sed -E 's/.*, ([0-9]+) failed/\1/')"
  fi
  if [ "$image_rc" -ne 0 ] && [ "$img_failed" -eq 0 ]; then
    img_failed=1
  fi
fi

echo "$((py_passed + img_passed)) passed, $((py_failed + img_failed)) failed"
[ "$pytest_rc" -eq 0 ] && [ "$image_rc" -eq 0 ]
