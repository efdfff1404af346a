#!/usr/bin/env bash
# A real single-node Kubernetes 1.20.2 on this machine, for the minikube-smoke e2e tests.
#
#   cluster.sh up         install what is missing, build Kubernetes once (cached), start the cluster,
#                         a registry on 127.0.0.1:5000 (Debian's docker-registry) and minikube's
#                         default storage (StorageClass `standard` + storage-provisioner.mjs)
#   cluster.sh down       stop what `up` started, remove what it left (containers, mounts, chains)
#   cluster.sh down --all the same, and also stop a dockerd that the harness started
#   cluster.sh status     each component's pid and state, node readiness; exit 0 when healthy
#   cluster.sh env        prints `export KUBECONFIG=...` for eval
#   cluster.sh build      only install and build (for warming the cache)
#   cluster.sh restart    down, then up, under one lock (after changing a component's flags)
#
# Everything listens on 127.0.0.1 and the node's InternalIP is 127.0.0.1 (see the patch file):
# nothing here sends traffic to another address of the machine. Processes are stopped only by the
# pids recorded in $STATE/pids. See README.md beside this file for the facts behind the flags.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

K8S_VERSION=1.20.2
PATCH="$HERE/k8s-$K8S_VERSION-sandbox.patch"
BUILD="$CACHE/k8s-$K8S_VERSION-$(sha256sum <"$PATCH" | cut -c1-12)"
BIN="$BUILD/bin"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
PAUSE_IMAGE=k8s.gcr.io/pause:3.2
KUBELET_ROOT=/var/lib/kubelet
PKI="$STATE/pki"
SERVICE_CIDR=10.0.0.0/24
DOCKER_BRIDGE_CIDR=172.17.0.0/16 # pods get addresses on docker's default bridge (no CNI)
# The kubelet's Docker pulls from a loopback registry without TLS (127.0.0.0/8 is insecure by
# default), so pods can pull `localhost:5000/...` like they would from a real registry.
REGISTRY_PORT=5000
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT"
REGISTRY_DATA="$STATE/registry"
HOSTPATH_ROOT="$STATE/hostpath-provisioner" # the provisioner's volumes (minikube: /tmp/hostpath-provisioner)
APT_UPDATED=""

log() { echo "[cluster] $*" >&2; }
die() { log "error: $*"; exit 1; }
kctl() { kubectl --kubeconfig "$KUBECONFIG_FILE" --context "$CONTEXT" "$@"; }

# ---------------------------------------------------------------------------------------- install

apt_update_once() {
  [ -n "$APT_UPDATED" ] && return 0
  log "apt-get update"
  apt-get update -qq
  APT_UPDATED=1
}

install_missing() {
  local -A need=([dockerd]=docker.io [etcd]=etcd-server [go]=golang-go [rsync]=rsync
    [conntrack]=conntrack [iptables]=iptables [dpkg-source]=dpkg-dev [patch]=patch [gcc]=gcc
    [make]=make [openssl]=openssl [curl]=curl [kubectl]=kubernetes-client
    [socat]=socat [flock]=util-linux [docker-registry]=docker-registry)
  local cmd pkgs=()
  for cmd in "${!need[@]}"; do command -v "$cmd" >/dev/null 2>&1 || pkgs+=("${need[$cmd]}"); done
  [ -f /usr/include/stdio.h ] || pkgs+=(libc6-dev) # gcc -static needs libc.a
  if [ "${#pkgs[@]}" -gt 0 ]; then
    apt_update_once
    log "apt-get install ${pkgs[*]}"
    mkdir -p "$LOGS"
    DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l apt-get install -y -qq "${pkgs[@]}" >"$LOGS/apt.log" 2>&1 ||
      { tail -20 "$LOGS/apt.log" >&2; die "apt-get install ${pkgs[*]} failed"; }
  fi
}

# apt-get source needs a deb-src entry; derive it from the machine's own Debian mirror.
ensure_deb_src() {
  if grep -rqsE '^(deb-src |Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/debian.sources | head -1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -hsE '^deb (\[[^]]*\] )?[a-z]+://' /etc/apt/sources.list |
    grep -v security | head -1 | sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}')
  [ -n "$uri" ] || die "no Debian mirror found in /etc/apt to add a deb-src line for"
  log "adding deb-src for bookworm ($uri)"
  cat >/etc/apt/sources.list.d/minikube-smoke-src.sources <<EOF
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  APT_UPDATED=""
  apt_update_once
}

# ------------------------------------------------------------------------------------------ build

# Builds the five binaries from Debian's kubernetes source package with the sandbox patch, once
# per patch version; also keeps a static pause binary for the pause image.
build_kubernetes() {
  local b ok=1
  for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || ok=""; done
  [ -n "$ok" ] && [ -x "$BUILD/pause" ] && return 0

  ensure_deb_src
  local src="$CACHE/src" work="$CACHE/build-tmp" t0=$SECONDS
  mkdir -p "$src"
  if ! ls "$src"/kubernetes_*"$K8S_VERSION".orig.tar.gz >/dev/null 2>&1; then
    log "fetching the kubernetes source package"
    (cd "$src" && apt-get source --download-only -qq kubernetes 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  fi
  local tarball
  tarball=$(ls "$src"/kubernetes_*"$K8S_VERSION".orig.tar.gz 2>/dev/null | head -1)
  [ -n "$tarball" ] || die "apt-get source kubernetes did not bring a $K8S_VERSION tarball into $src"

  rm -rf "$work" && mkdir -p "$work"
  tar xzf "$tarball" -C "$work"
  local tree="$work/kubernetes-$K8S_VERSION"
  patch -p1 -d "$tree" <"$PATCH" >/dev/null
  log "building ${BINARIES[*]} (about 5 min on 2 cores; log $work/make.log)"
  local what="${BINARIES[*]/#/cmd/}"
  if ! make -C "$tree" WHAT="$what" >"$work/make.log" 2>&1; then
    log "make failed, retrying once after removing _output (a failed make leaves empty binaries)"
    rm -rf "$tree/_output"
    make -C "$tree" WHAT="$what" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; die "make failed"; }
  fi
  gcc -Os -static -o "$work/pause" "$tree/build/pause/linux/pause.c"

  rm -rf "$BUILD.tmp" && mkdir -p "$BUILD.tmp/bin"
  for b in "${BINARIES[@]}"; do
    [ -s "$tree/_output/bin/$b" ] || die "make produced no $b"
    cp "$tree/_output/bin/$b" "$BUILD.tmp/bin/"
  done
  cp "$work/pause" "$BUILD.tmp/pause"
  rm -rf "$BUILD" && mv "$BUILD.tmp" "$BUILD"
  rm -rf "$work"
  log "built in $((SECONDS - t0)) s, cached in $BUILD"
}

ensure_pause_image() {
  docker image inspect "$PAUSE_IMAGE" >/dev/null 2>&1 && return 0
  local ctx
  ctx=$(mktemp -d)
  cp "$BUILD/pause" "$ctx/pause"
  printf 'FROM scratch\nADD pause /pause\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
  log "building $PAUSE_IMAGE"
  local out
  out=$(docker build -q -t "$PAUSE_IMAGE" "$ctx" 2>&1) || { echo "$out" >&2; die "docker build of $PAUSE_IMAGE failed"; }
  rm -rf "$ctx"
}

# -------------------------------------------------------------------------------------------- pki

# A CA, a serving certificate for the API server and an admin client certificate. Kept across
# `up`s (only etcd data is wiped), so a kubeconfig written once keeps working.
ensure_pki() {
  [ -s "$PKI/admin.crt" ] && [ -s "$PKI/sa.key" ] && return 0
  rm -rf "$PKI" && mkdir -p "$PKI"
  (
    cd "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj /CN=minikubeCA 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
      -subj /CN=kube-apiserver 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n' >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr \
      -subj "/O=system:masters/CN=minikube-user" 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >admin.ext
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile admin.ext -out admin.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    rm -f ./*.csr ./*.ext
  )
}

write_kubeconfig() {
  local tmp="$KUBECONFIG_FILE.tmp"
  rm -f "$tmp"
  kubectl --kubeconfig "$tmp" config set-cluster "$CONTEXT" --server="$APISERVER" \
    --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  kubectl --kubeconfig "$tmp" config set-credentials "$CONTEXT" \
    --client-certificate="$PKI/admin.crt" --client-key="$PKI/admin.key" --embed-certs=true >/dev/null
  kubectl --kubeconfig "$tmp" config set-context "$CONTEXT" --cluster="$CONTEXT" \
    --user="$CONTEXT" --namespace=default >/dev/null
  kubectl --kubeconfig "$tmp" config use-context "$CONTEXT" >/dev/null
  chmod 600 "$tmp" && mv "$tmp" "$KUBECONFIG_FILE"
}

# ---------------------------------------------------------------------------------------- cleanup

# Containers the kubelet (dockershim) made: named k8s_* and labelled by dockershim.
remove_kubelet_containers() {
  docker info >/dev/null 2>&1 || return 0
  local ids
  ids=$(docker ps -aq --filter name=k8s_ --filter label=io.kubernetes.docker.type)
  [ -z "$ids" ] && return 0
  # shellcheck disable=SC2086
  docker rm -f $ids >/dev/null 2>&1 || true
}

# Secret/projected volumes the kubelet mounted under its root dir, deepest first.
unmount_kubelet_volumes() {
  local m
  awk -v root="$KUBELET_ROOT/" 'index($2, root) == 1 { print $2 }' /proc/self/mounts |
    while read -r m; do m=$(printf '%b' "$m"); echo "${#m} $m"; done | sort -rn | cut -d' ' -f2- |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
}

# kube-proxy --cleanup removes its rules; the kubelet's own KUBE-* chains (KUBE-FIREWALL hooked into
# INPUT/OUTPUT, KUBE-MARK-DROP, KUBE-MARK-MASQ, KUBE-KUBELET-CANARY, KUBE-PROXY-CANARY, ...) stay:
# unhook every jump to a KUBE-* chain from the built-in chains, then flush and delete the chains.
remove_kube_chains() {
  if [ -x "$BIN/kube-proxy" ]; then
    "$BIN/kube-proxy" --cleanup >"$LOGS/kube-proxy-cleanup.log" 2>&1 || true
  fi
  local ipt table line chain
  for ipt in iptables ip6tables; do
    command -v "$ipt-save" >/dev/null 2>&1 || continue
    for table in filter nat mangle; do
      "$ipt-save" -t "$table" 2>/dev/null | grep -q ':KUBE-' || continue
      "$ipt-save" -t "$table" 2>/dev/null | { grep -E '^-A [A-Z]+ .*-j KUBE-' || true; } |
        while read -r line; do eval "$ipt -t $table -D ${line#-A }" 2>/dev/null || true; done
      for chain in $("$ipt-save" -t "$table" 2>/dev/null | sed -n 's/^:\(KUBE-[^ ]*\) .*/\1/p'); do
        "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt-save" -t "$table" 2>/dev/null | sed -n 's/^:\(KUBE-[^ ]*\) .*/\1/p'); do
        "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

# Everything a running or killed cluster leaves behind, except dockerd.
cleanup() {
  stop_recorded storage-provisioner kube-proxy kubelet kube-scheduler kube-controller-manager registry
  stop_recorded kube-apiserver etcd
  remove_kubelet_containers
  unmount_kubelet_volumes
  # The pods' directories and log links are stale now; remove them once nothing is mounted there.
  if ! grep -q " $KUBELET_ROOT/" /proc/self/mounts; then rm -rf "$KUBELET_ROOT/pods"; fi
  rm -rf /var/log/pods/* /var/log/containers/*
  remove_kube_chains
  rm -rf "$STATE/etcd" "$REGISTRY_DATA" "$HOSTPATH_ROOT"
}

# One up or down at a time (tests may call them concurrently).
lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock 9
}

# ------------------------------------------------------------------------------------------ start

# start NAME BINARY ARGS...: runs detached in its own session, logs to $LOGS/NAME.log, records pid.
start() {
  local name=$1; shift
  [ -f "$LOGS/$name.log" ] && mv -f "$LOGS/$name.log" "$LOGS/$name.previous.log"
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null 9>&- & # 9 is the lock: not for daemons
  record_pid "$name" $!
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for WHAT SECONDS COMMAND...: polls COMMAND every 0.2 s.
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then log "timed out after ${secs}s waiting for $what"; return 1; fi
    sleep 0.2
  done
}

all_running() {
  local c
  for c in "${COMPONENTS[@]}"; do recorded_pid "$c" >/dev/null || { echo "$c"; return 1; }; done
}

apiserver_ready() { curl -sf --cacert "$PKI/ca.crt" "$APISERVER/readyz" >/dev/null; }

node_ready() {
  [ "$(kctl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

healthy() { all_running >/dev/null && apiserver_ready && node_ready; }

registry_ready() { curl -sf --max-time 2 "$REGISTRY_URL/v2/" >/dev/null; }

# The registry runs beside the cluster and is started on its own when it is the only part down
# (a registry killed with an earlier session must not cost a cluster restart).
ensure_registry() {
  if recorded_pid registry >/dev/null && registry_ready; then return 0; fi
  stop_recorded registry # recorded but not answering: start it again
  if port_in_use "$REGISTRY_PORT"; then
    die "127.0.0.1:$REGISTRY_PORT is in use by a process this harness did not record; stop it first"
  fi
  mkdir -p "$REGISTRY_DATA"
  printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$REGISTRY_DATA" "$REGISTRY_PORT" >"$STATE/registry.yml"
  start registry docker-registry serve "$STATE/registry.yml"
  wait_for registry 30 registry_ready || fail_start registry
  log "registry answering on $REGISTRY_URL (data in $REGISTRY_DATA)"
}

# minikube's `default-storageclass` and `storage-provisioner` addons: the default StorageClass
# `standard` (as minikube's storageclass.yaml: provisioner k8s.io/minikube-hostpath; reclaim Delete
# and binding Immediate are the API defaults) and a provisioner that watches claims of that class
# and binds each to a hostPath volume about 0.5 s later (storage-provisioner.mjs). Started on its
# own when it is the only part down, like the registry. The DefaultStorageClass admission plugin
# that gives class-less claims the default class is on by default in 1.20's API server.
ensure_storage() {
  kctl apply -f - >/dev/null <<'EOF' || die "cannot apply StorageClass standard"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
  labels:
    addonmanager.kubernetes.io/mode: EnsureExists
provisioner: k8s.io/minikube-hostpath
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
  recorded_pid storage-provisioner >/dev/null && return 0
  local node=node
  [ -x "$HERE/../../node_modules/.bin/node" ] && node="$HERE/../../node_modules/.bin/node"
  command -v "$node" >/dev/null || die "no node to run the storage provisioner with"
  mkdir -p "$HOSTPATH_ROOT"
  start storage-provisioner "$node" "$HERE/storage-provisioner.mjs" "$STATE"
  wait_for "storage-provisioner watching" 20 grep -q watching "$LOGS/storage-provisioner.log" ||
    fail_start storage-provisioner
  log "storage: StorageClass standard (default) provisioned by storage-provisioner (volumes in $HOSTPATH_ROOT)"
}

start_components() {
  mkdir -p "$LOGS" "$PIDS" "$STATE/etcd" "$KUBELET_ROOT"
  local p
  for p in 2379 2380 6443 10250 10257 10259; do
    if port_in_use "$p"; then die "127.0.0.1:$p is in use by a process this harness did not record; stop it first"; fi
  done

  start etcd etcd --name minikube-smoke --data-dir "$STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster minikube-smoke=http://127.0.0.1:2380
  wait_for etcd 30 curl -sf http://127.0.0.1:2379/health || fail_start etcd

  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=127.0.0.1 --secure-port=6443 --insecure-port=0 \
    ${ADVERTISE_ADDRESS:+--advertise-address="$ADVERTISE_ADDRESS"} \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$PKI/sa.key" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --allow-privileged=true \
    --kubelet-preferred-address-types=InternalIP
  wait_for kube-apiserver 60 apiserver_ready || fail_start kube-apiserver

  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig="$KUBECONFIG_FILE" \
    --bind-address=127.0.0.1 --port=0 --leader-elect=false \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --use-service-account-credentials=false
  start kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig="$KUBECONFIG_FILE" \
    --bind-address=127.0.0.1 --port=0 --leader-elect=false
  start kubelet "$BIN/kubelet" \
    --kubeconfig="$KUBECONFIG_FILE" \
    --container-runtime=docker --cgroup-driver=cgroupfs --fail-swap-on=false \
    --hostname-override="$NODE_NAME" --node-ip=127.0.0.1 \
    --address=127.0.0.1 --healthz-bind-address=127.0.0.1 --read-only-port=0 \
    --root-dir="$KUBELET_ROOT" --pod-infra-container-image="$PAUSE_IMAGE" \
    --cgroups-per-qos=false --enforce-node-allocatable="" --eviction-hard="" \
    --image-gc-high-threshold=100 --oom-score-adj=0 \
    --event-qps=100 --event-burst=200
  start kube-proxy "$BIN/kube-proxy" \
    --kubeconfig="$KUBECONFIG_FILE" --hostname-override="$NODE_NAME" --proxy-mode=iptables \
    --bind-address=127.0.0.1 --metrics-bind-address=127.0.0.1:10249 \
    --healthz-bind-address=127.0.0.1:10256 --nodeport-addresses=127.0.0.0/8 \
    --cluster-cidr="$DOCKER_BRIDGE_CIDR" --conntrack-max-per-core=0 \
    --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 --oom-score-adj=0

  wait_for "node $NODE_NAME Ready" 90 node_ready || fail_start kubelet
  wait_for "service account default/default" 60 kctl -n default get serviceaccount default ||
    fail_start kube-controller-manager
  local dead
  dead=$(all_running) || fail_start "$dead"
}

fail_start() {
  log "$1 did not come up; last lines of $LOGS/$1.log:"
  tail -25 "$LOGS/$1.log" >&2 || true
  exit 1
}

# ------------------------------------------------------------------------------------ subcommands

# The API server rejects a loopback advertise address (it cannot write the in-cluster `kubernetes`
# Endpoints: "may not be in the loopback range"), so by default it picks the machine's own address
# (the default-route interface). That address is only written into the `kubernetes` Endpoints;
# the API server listens on 127.0.0.1 only and nothing here connects to it.
ADVERTISE_ADDRESS=${MINIKUBE_SMOKE_ADVERTISE_ADDRESS:-}

cmd_build() {
  install_missing
  build_kubernetes
}

cmd_up() {
  mkdir -p "$STATE" "$LOGS" "$PIDS"
  if [ -s "$KUBECONFIG_FILE" ] && healthy; then
    install_missing
    ensure_registry
    ensure_storage
    log "already up; KUBECONFIG=$KUBECONFIG_FILE, logs in $LOGS"
    return 0
  fi
  local t0=$SECONDS
  install_missing
  "$HERE/ensure-docker.sh" >&2 9>&-
  build_kubernetes
  ensure_pause_image
  log "cleaning up what an earlier cluster left"
  cleanup
  ensure_pki
  write_kubeconfig
  log "starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy"
  start_components
  ensure_registry
  ensure_storage
  log "up in $((SECONDS - t0)) s: node $NODE_NAME Ready"
  log "KUBECONFIG=$KUBECONFIG_FILE (context $CONTEXT); logs in $LOGS; pids in $PIDS"
}

cmd_down() {
  local t0=$SECONDS
  cleanup
  if [ "${1:-}" = --all ]; then
    stop_recorded dockerd
  fi
  log "down in $((SECONDS - t0)) s"
}

cmd_status() {
  local c pid ok=0
  for c in "${COMPONENTS[@]}" dockerd; do
    if pid=$(recorded_pid "$c"); then
      printf '%-24s pid %-8s alive\n' "$c" "$pid"
    elif [ "$c" = dockerd ]; then
      if docker info >/dev/null 2>&1; then
        printf '%-24s %-12s answering (not started by the harness)\n' "$c" ""
      else
        printf '%-24s %-12s not answering\n' "$c" ""; ok=1
      fi
    else
      if [ -f "$PIDS/$c.pid" ]; then
        printf '%-24s pid %-8s dead\n' "$c" "$(cut -d' ' -f1 "$PIDS/$c.pid")"
      else
        printf '%-24s %-12s not started\n' "$c" ""
      fi
      ok=1
    fi
  done
  if [ -s "$PKI/ca.crt" ] && apiserver_ready; then
    printf '%-24s %s\n' apiserver "$APISERVER ready"
  else
    printf '%-24s %s\n' apiserver "$APISERVER not ready"; ok=1
  fi
  if [ -s "$KUBECONFIG_FILE" ] && node_ready; then
    printf '%-24s %s\n' "node $NODE_NAME" Ready
  else
    printf '%-24s %s\n' "node $NODE_NAME" "not Ready"; ok=1
  fi
  if pid=$(recorded_pid registry) && registry_ready; then
    printf '%-24s pid %-8s %s\n' registry "$pid" "answering on $REGISTRY_URL"
  else
    printf '%-24s %-12s %s\n' registry "" "not answering on $REGISTRY_URL"; ok=1
  fi
  if pid=$(recorded_pid storage-provisioner); then
    printf '%-24s pid %-8s %s\n' storage-provisioner "$pid" "alive (StorageClass standard, volumes in $HOSTPATH_ROOT)"
  else
    printf '%-24s %-12s %s\n' storage-provisioner "" "not running"; ok=1
  fi
  echo "kubeconfig: $KUBECONFIG_FILE   logs: $LOGS"
  return $ok
}

case "${1:-}" in
  up) lock; cmd_up ;;
  down) shift; lock; cmd_down "$@" ;;
  status) cmd_status ;;
  env) echo "export KUBECONFIG=$KUBECONFIG_FILE" ;;
  build) lock; cmd_build ;;
  restart) lock; cmd_down; cmd_up ;; # one lock: no other `up` can start the old cluster between
  *) echo "usage: $0 up | down [--all] | restart | status | env | build" >&2; exit 2 ;;
esac
