#!/usr/bin/env bash
# Checks the local cluster end to end, the way the action will use it. Talks only to 127.0.0.1.
#
#   selftest.sh             against the running cluster (starts it if needed): build an image with
#                           the same engine, deploy it with imagePullPolicy Never, expose it as a
#                           NodePort, curl it on 127.0.0.1, kubectl logs/exec, a push to the local
#                           registry pulled by the kubelet, the minikube stand-in's service URL and
#                           image load; removes its namespace at the end
#   selftest.sh lifecycle   down leaves nothing behind; up after kill -9 of every recorded pid
#                           comes back clean; ends with the cluster up
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
export KUBECONFIG="$KUBECONFIG_FILE"
PATH="$HERE/bin:$PATH"
passed=0 failed=0

check() { # NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}
quietly() { local out; out=$("$@" 2>&1) || { echo "$out"; return 1; }; }
finish() { echo "$passed passed, $failed failed"; [ $failed -eq 0 ]; exit; }
eventually() { # COMMAND...: retries it for up to 10 s (output another process is still writing)
  local _
  for _ in $(seq 1 50); do "$@" && return 0; sleep 0.2; done
  return 1
}
timed() { # COMMAND...: runs it and prints how long it took
  local t0=$EPOCHREALTIME rc
  "$@"; rc=$?
  echo "  (${*##*/}: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s)"
  return $rc
}

# ------------------------------------------------------------------------------------ workload

workload() {
  "$HERE/cluster.sh" up || { echo "FAIL cluster up"; failed=1; finish; }
  local ns="selftest-$$" tag="minikube-smoke-hello:selftest-$$" ctx
  ctx=$(mktemp -d)
  (cd "$HERE/hello" && CGO_ENABLED=0 go build -o "$ctx/hello" main.go) &&
    printf 'FROM scratch\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' >"$ctx/Dockerfile" &&
    check "docker build (same engine as the kubelet)" quietly docker build -q -t "$tag" "$ctx"
  rm -rf "$ctx"

  kubectl create namespace "$ns" >/dev/null
  kubectl -n "$ns" create deployment web --image="$tag" --port=8080 --dry-run=client -o yaml |
    sed 's/^\(\s*\)image: .*/&\n\1imagePullPolicy: Never/' | kubectl -n "$ns" apply -f - >/dev/null
  check "rollout (imagePullPolicy Never)" quietly kubectl -n "$ns" rollout status deployment/web --timeout=120s
  kubectl -n "$ns" expose deployment web --type=NodePort --port=8080 >/dev/null
  local port body=""
  port=$(kubectl -n "$ns" get service web -o 'jsonpath={.spec.ports[0].nodePort}')
  for _ in $(seq 1 50); do
    body=$(curl -sf --max-time 2 "http://127.0.0.1:$port/") && break
    sleep 0.2
  done
  check "NodePort answers on 127.0.0.1:$port ($body)" grep -q '^hello from web-' <<<"$body"
  # The server logs the request as it answers; the line reaches the container log a moment later.
  check "kubectl logs" eventually bash -c "kubectl -n $ns logs deployment/web | grep -q 'GET / from'"
  check "kubectl exec" bash -c "kubectl -n $ns exec deployment/web -- /hello version | grep -q 'hello 1.0'"
  check "node InternalIP is 127.0.0.1" bash -c \
    "[ \"\$(kubectl get node $NODE_NAME -o 'jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}')\" = 127.0.0.1 ]"

  # The registry: push, drop the local tag, and the kubelet's Docker pulls it back (no TLS).
  local pushed="localhost:5000/selftest/hello-$$:1"
  docker tag "$tag" "$pushed" && check "docker push to the local registry" quietly docker push "$pushed"
  docker rmi "$pushed" >/dev/null 2>&1
  kubectl -n "$ns" create deployment pulled --image="$pushed" --dry-run=client -o yaml |
    sed 's/^\(\s*\)image: .*/&\n\1imagePullPolicy: IfNotPresent/' | kubectl -n "$ns" apply -f - >/dev/null
  check "the kubelet pulls $pushed" quietly kubectl -n "$ns" rollout status deployment/pulled --timeout=120s
  check "the registry served the pull" grep -qE "\"(HEAD|GET) /v2/selftest/hello-$$/manifests/" "$LOGS/registry.log"

  # Default storage: a claim with no class gets `standard`, is Pending first, then bound to a
  # hostPath volume; deleting it deletes the volume and its directory (reclaim Delete).
  kubectl -n "$ns" apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: selftest-claim}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
YAML
  check "a claim with no class gets the default class standard" bash -c \
    "[ \"\$(kubectl -n $ns get pvc selftest-claim -o jsonpath='{.spec.storageClassName}')\" = standard ]"
  check "the provisioner binds it" eventually bash -c \
    "[ \"\$(kubectl -n $ns get pvc selftest-claim -o jsonpath='{.status.phase}')\" = Bound ]"
  local pv dir
  pv=$(kubectl -n "$ns" get pvc selftest-claim -o jsonpath='{.spec.volumeName}')
  dir=$(kubectl get pv "$pv" -o jsonpath='{.spec.hostPath.path}')
  check "its volume is a directory under $STATE/hostpath-provisioner" test -d "$dir"
  kubectl -n "$ns" delete pvc selftest-claim --wait=false >/dev/null
  check "deleting the claim deletes its volume and directory" eventually bash -c \
    "! kubectl get pv $pv >/dev/null 2>&1 && [ ! -d '$dir' ]"

  # The stand-in, as the action drives it, with a kubeconfig of its own.
  local url
  local -x KUBECONFIG="$STATE/selftest-kubeconfig"
  minikube start --driver=docker --kubernetes-version=v1.20.2 >/dev/null 2>&1
  check "stand-in start logged its flags" grep -q -- '--kubernetes-version=v1.20.2' "$STATE/minikube-standin.log"
  check "stand-in status -o json" bash -c \
    "[ \"\$(minikube status -o json)\" = '{\"Name\":\"minikube\",\"Host\":\"Running\",\"Kubelet\":\"Running\",\"APIServer\":\"Running\",\"Kubeconfig\":\"Configured\",\"Worker\":false}' ]"
  check "stand-in start set the minikube context" bash -c "[ \"\$(kubectl config current-context)\" = minikube ] && kubectl get --raw /readyz >/dev/null"
  url=$(minikube service web -n "$ns" --url)
  check "stand-in service --url ($url)" [ "$url" = "http://127.0.0.1:$port" ]
  minikube service nosuch -n "$ns" --url >/dev/null 2>&1
  check "stand-in service: missing service exits 115" [ $? -eq 115 ]
  check "stand-in docker-env --shell none" bash -c \
    "minikube docker-env --shell none | grep -qx 'DOCKER_HOST=unix:///var/run/docker.sock'"
  check "stand-in image load of a local image" minikube image load --daemon "$tag"
  minikube image load --daemon "minikube-smoke-nosuch:$$" >/dev/null 2>&1
  check "stand-in image load: a missing image exits 80" [ $? -eq 80 ]

  KUBECONFIG="$KUBECONFIG_FILE"
  kubectl delete namespace "$ns" --wait=false >/dev/null
  docker rmi "$tag" "$pushed" >/dev/null 2>&1 || true
}

# ----------------------------------------------------------------------------------- lifecycle

nothing_left() {
  local bad=0 c pid
  [ -z "$(docker ps -aq --filter name=k8s_ --filter label=io.kubernetes.docker.type)" ] || { echo "  kubelet containers left"; bad=1; }
  ! grep -q ' /var/lib/kubelet/' /proc/self/mounts || { echo "  kubelet mounts left"; bad=1; }
  ! iptables-save 2>/dev/null | grep -q 'KUBE-' || { echo "  KUBE- iptables chains/rules left"; bad=1; }
  [ ! -d "$STATE/etcd" ] || { echo "  etcd data left"; bad=1; }
  [ ! -d "$STATE/registry" ] || { echo "  registry data left"; bad=1; }
  [ ! -d "$STATE/hostpath-provisioner" ] || { echo "  provisioned volumes left"; bad=1; }
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy registry storage-provisioner; do
    pid=$(recorded_pid "$c") && { echo "  $c still running (pid $pid)"; bad=1; }
  done
  return $bad
}

lifecycle() {
  "$HERE/cluster.sh" up || { echo "FAIL cluster up"; failed=1; finish; }
  workload_pods
  check "down" timed "$HERE/cluster.sh" down
  check "down left nothing behind" nothing_left
  check "down again is a no-op" "$HERE/cluster.sh" down
  check "status fails when down" bash -c "! '$HERE/cluster.sh' status >/dev/null"
  check "up after down" timed "$HERE/cluster.sh" up
  workload_pods
  local c pid
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy registry storage-provisioner; do
    pid=$(recorded_pid "$c") && kill -9 "$pid"
  done
  sleep 1
  check "up after kill -9 of every component" timed "$HERE/cluster.sh" up
  check "status healthy" "$HERE/cluster.sh" status
  check "no pod survived from the killed cluster" bash -c \
    "[ -z \"\$(docker ps -q --filter name=k8s_ --filter label=io.kubernetes.docker.type --filter label=io.kubernetes.pod.namespace=lifecycle)\" ]"
  check "healthy up is fast" timed "$HERE/cluster.sh" up
}

# A pod with a secret volume (tmpfs mount) and a NodePort service (KUBE- chains), to leave traces.
workload_pods() {
  kubectl create namespace lifecycle >/dev/null
  kubectl -n lifecycle create deployment pause --image=k8s.gcr.io/pause:3.2 --dry-run=client -o yaml |
    sed 's/^\(\s*\)image: .*/&\n\1imagePullPolicy: Never/' | kubectl -n lifecycle apply -f - >/dev/null
  kubectl -n lifecycle expose deployment pause --type=NodePort --port=80 >/dev/null
  check "lifecycle pod running" quietly kubectl -n lifecycle rollout status deployment/pause --timeout=120s
}

case "${1:-}" in
  "") workload ;;
  lifecycle) lifecycle ;;
  *) echo "usage: $0 [lifecycle]" >&2; exit 2 ;;
esac
finish
