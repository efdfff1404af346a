#!/usr/bin/env bash
# Builds a local Python base image without any container registry:
#   debootstrap --variant=minbase <suite> from a Debian mirror into a temp dir, with Debian's
#   python3 + python3-flask + gunicorn, trimmed, then `tar | docker import`.
#
# The result is usable as the weather-service Dockerfile's BASE_IMAGE:
#   docker build --build-arg BASE_IMAGE="$(bash weather-service/scripts/build-offline-base.sh --print-tag)" weather-service
#
# Cached: the image carries a label with a hash of everything that shapes it (suite, mirror,
# package list, this script's recipe version). If an image with the tag and the same hash exists,
# nothing is rebuilt. FORCE=1 rebuilds anyway.
#
# Env:
#   BASE_TAG     image tag to produce       (default minikube-smoke/python-base:bookworm)
#   DEBIAN_SUITE suite to bootstrap         (default bookworm)
#   DEBIAN_MIRROR mirror URL                (default http://deb.debian.org/debian)
#   FORCE=1      rebuild even when cached
#
# Flags: --print-tag  print the tag and exit (no build)
# The last line on stdout is always the image tag.
set -euo pipefail

BASE_TAG="${BASE_TAG:-minikube-smoke/python-base:bookworm}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Packages added on top of minbase. ca-certificates: the nws provider talks HTTPS.
# python-is-python3: `python` also works, like on the official python images.
PACKAGES="python3,python3-flask,gunicorn,ca-certificates,python-is-python3"
RECIPE_VERSION=1
LABEL_KEY="org.minikube-smoke.base-hash"

if [ "${1:-}" = "--print-tag" ]; then
  echo "$BASE_TAG"
  exit 0
fi

log() { echo "[build-offline-base] $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (debootstrap needs it)"
  exit 1
fi

HASH="$(printf '%s\n' "$RECIPE_VERSION" "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "$PACKAGES" | sha256sum | cut -c1-16)"

if ! docker info >/dev/null 2>&1; then
  log "docker does not answer; start it first (e.g. bash test/cluster/ensure-docker.sh)"
  exit 1
fi

if [ "${FORCE:-0}" != "1" ]; then
  have="$(docker image inspect --format "{{ index .Config.Labels \"$LABEL_KEY\" }}" "$BASE_TAG" 2>/dev/null || true)"
  if [ "$have" = "$HASH" ]; then
    log "cached: $BASE_TAG (hash $HASH)"
    echo "$BASE_TAG"
    exit 0
  fi
  [ -n "$have" ] && log "existing $BASE_TAG has hash '$have', want $HASH: rebuilding"
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
fi

WORK="$(mktemp -d /tmp/offline-base.XXXXXX)"
cleanup() {
  # debootstrap may leave proc/sys mounted in the target if it dies halfway.
  for m in proc sys dev/pts; do
    mountpoint -q "$WORK/rootfs/$m" 2>/dev/null && umount -l "$WORK/rootfs/$m" || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
ROOTFS="$WORK/rootfs"

start=$(date +%s)
log "debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR (+ $PACKAGES) into $ROOTFS"
if ! debootstrap --variant=minbase --include="$PACKAGES" "$DEBIAN_SUITE" "$ROOTFS" "$DEBIAN_MIRROR" \
    >"$WORK/debootstrap.log" 2>&1; then
  log "debootstrap failed; last lines:"
  tail -30 "$WORK/debootstrap.log" >&2
  [ -f "$ROOTFS/debootstrap/debootstrap.log" ] && tail -30 "$ROOTFS/debootstrap/debootstrap.log" >&2
  exit 1
fi
log "debootstrap took $(( $(date +%s) - start ))s"

# Trim: package caches, apt lists, docs, man pages, locales other than C.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb \
       "$ROOTFS"/var/cache/apt/*.bin \
       "$ROOTFS"/var/lib/apt/lists/* \
       "$ROOTFS"/usr/share/doc/* \
       "$ROOTFS"/usr/share/man/* \
       "$ROOTFS"/usr/share/info/* \
       "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* \
       "$ROOTFS"/debootstrap
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
find "$ROOTFS/usr/lib/python3" -name '__pycache__' -type d -prune -exec rm -rf {} + 2>/dev/null || true
# Devices are provided by the container runtime; ship an empty /dev.
find "$ROOTFS/dev" -mindepth 1 -delete 2>/dev/null || true
# apt sources for anyone extending the image with a registry-free apt mirror.
echo "deb $DEBIAN_MIRROR $DEBIAN_SUITE main" >"$ROOTFS/etc/apt/sources.list"

# Sanity check inside the rootfs before importing.
if ! chroot "$ROOTFS" python3 -c 'import flask, gunicorn; print("flask", flask.__version__, "gunicorn", gunicorn.__version__)' >&2; then
  log "python3 with flask/gunicorn not usable in the rootfs"
  exit 1
fi

log "importing as $BASE_TAG"
tar --numeric-owner -C "$ROOTFS" -c . | docker import \
  --change "LABEL $LABEL_KEY=$HASH" \
  --change "LABEL org.minikube-smoke.base-packages=$PACKAGES" \
  --change "LABEL org.minikube-smoke.base-suite=$DEBIAN_SUITE" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  - "$BASE_TAG" >/dev/null
docker tag "$BASE_TAG" "${BASE_TAG%:*}:$DEBIAN_SUITE-$HASH"
size="$(docker image inspect --format '{{.Size}}' "$BASE_TAG")"
log "built $BASE_TAG (also ${BASE_TAG%:*}:$DEBIAN_SUITE-$HASH), $((size / 1024 / 1024)) MiB, total $(( $(date +%s) - start ))s"
echo "$BASE_TAG"
