# shellcheck shell=bash disable=SC2034
# Shared by cluster.sh, ensure-docker.sh and bin/minikube (sourced, not run).
# Locations, and the pid bookkeeping that lets us stop exactly the processes we started.

STATE="${MINIKUBE_SMOKE_STATE:-/var/lib/minikube-smoke}"
CACHE="${MINIKUBE_SMOKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minikube-smoke}"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
KUBECONFIG_FILE="$STATE/kubeconfig"
CONTEXT=minikube-smoke-local
APISERVER=https://127.0.0.1:6443
NODE_NAME=minikube

# Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat). A pid file holds
# "PID STARTTIME", so a pid that the kernel has since given to another process is never touched.
proc_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }          # drop "pid (comm) ", comm may contain spaces
  # shellcheck disable=SC2086
  set -- $stat               # now $1 is field 3 (state), so field 22 is ${20}
  [ "$1" != Z ] || return 1  # a zombie has exited already
  echo "${20}"
}

# record_pid NAME PID. Written aside and renamed into place: `status` or the stand-in may read it
# at any moment and must never see it empty or half written.
record_pid() {
  mkdir -p "$PIDS"
  echo "$2 $(proc_start_time "$2" || echo 0)" >"$PIDS/$1.pid.$$" && mv -f "$PIDS/$1.pid.$$" "$PIDS/$1.pid"
}

# recorded_pid NAME: prints the pid when the process recorded under NAME is still the same process.
# Only a complete line counts (`read` fails on one without its newline).
recorded_pid() {
  local pid start
  [ -f "$PIDS/$1.pid" ] || return 1
  read -r pid start <"$PIDS/$1.pid" || return 1
  [ -n "$pid" ] && [ -n "$start" ] || return 1
  [ "$(proc_start_time "$pid" 2>/dev/null)" = "$start" ] || return 1
  echo "$pid"
}

# stop_recorded NAME...: TERM every recorded process still alive, wait up to 10 s, then KILL.
# Never fails; removes the pid files.
stop_recorded() {
  local name pid live=()
  for name in "$@"; do
    if pid=$(recorded_pid "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      live+=("$name:$pid")
    fi
  done
  local entry still
  for _ in $(seq 1 100); do
    still=()
    for entry in "${live[@]+"${live[@]}"}"; do
      recorded_pid "${entry%%:*}" >/dev/null && still+=("$entry")
    done
    live=("${still[@]+"${still[@]}"}")
    [ "${#live[@]}" -eq 0 ] && break
    sleep 0.1
  done
  for entry in "${live[@]+"${live[@]}"}"; do
    pid=$(recorded_pid "${entry%%:*}") && kill -KILL "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    still=()
    for entry in "${live[@]+"${live[@]}"}"; do
      recorded_pid "${entry%%:*}" >/dev/null && still+=("$entry")
    done
    [ "${#still[@]}" -eq 0 ] && break
    sleep 0.1
  done
  for name in "$@"; do rm -f "$PIDS/$name.pid"; done
}
