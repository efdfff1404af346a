#!/usr/bin/env bash
# Rebuilds dist/ and fails if it differs from what is committed (a source change without a rebuild).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
if ! git diff --quiet --exit-code -- dist/ || [ -n "$(git ls-files --others --exclude-standard -- dist/)" ]; then
  echo "dist/ is stale: run 'npm run build' and commit dist/. Differences:" >&2
  git status --short -- dist/ >&2
  git diff --stat -- dist/ >&2
  exit 1
fi
echo "dist/ matches a fresh build"
