#!/usr/bin/env bash
# A local Edgeway fleet on loopback for trying things: one control plane (embedded PostgreSQL) and N proxies.
#   deploy/fleet/local-fleet.sh start [N=2]   start, wait until every process is up, print the URLs
#   deploy/fleet/local-fleet.sh status        pids, liveness, /readyz of each proxy
#   deploy/fleet/local-fleet.sh stop          SIGTERM (then SIGKILL after the drain time) to the recorded pids only
#   deploy/fleet/local-fleet.sh lb            HAProxy on 127.0.0.1:8090 in front of the proxies (/readyz checks),
#                                             a backend on 8099 and a route "/" to it (what `scale` and `release` assume)
#   deploy/fleet/local-fleet.sh scale N       launch (ready before traffic) or drain and stop proxies until N run
#   deploy/fleet/local-fleet.sh release VERSION [TARBALL]   roll every proxy onto the release tarball relabelled
#                                             VERSION: checkpoints 10/50/100 %, launch before terminate
#   deploy/fleet/local-fleet.sh demo [VERSION]   under a steady load through the LB: start 3, scale 6, scale 2,
#                                             release VERSION; prints requests, failures and the time of each step
#   (the new commands are in fleet-ops.sh)
#
# Control plane: admin 8001, gRPC 8005. Proxy i: proxy port 8000+i, status 8100+i, data ./data/proxy-i.
# Offsets whose proxy port would hit the admin or gRPC port (1 and 5) are skipped, so the proxies are
# proxy-0, proxy-2, proxy-3, proxy-4, proxy-6, ... Ports can be moved with FLEET_ADMIN_PORT, FLEET_GRPC_PORT,
# FLEET_PROXY_BASE, FLEET_STATUS_BASE; EDGEWAY_CMD runs another launcher (default ./edgeway, e.g.
# /opt/edgeway/edgeway). Everything lives under ./data (logs and pids in ./data/fleet).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
edgeway=${EDGEWAY_CMD:-$root/edgeway}
data=$root/data
state=$data/fleet
pids=$state/pids
admin=${FLEET_ADMIN_PORT:-8001}
grpc=${FLEET_GRPC_PORT:-8005}
proxy_base=${FLEET_PROXY_BASE:-8000}
status_base=${FLEET_STATUS_BASE:-8100}

die() { echo "local-fleet: $*" >&2; exit 1; }

# Start time (clock ticks since boot) tells our process apart from a later one that reused the pid.
start_time() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
ours() { [[ -n $2 && $(start_time "$1") == "$2" ]]; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_http URL SECONDS PID: until URL answers 2xx, the process dies, or time runs out.
wait_http() {
  local deadline=$(( $(date +%s) + $2 ))
  while (( $(date +%s) < deadline )); do
    curl -sf -m 5 -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

launch() { # name env... -- args...
  local name=$1; shift
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" nohup "$edgeway" "$@" >"$state/$name.log" 2>&1 &
  local pid=$!
  echo "$name $pid $(start_time $pid)" >>"$pids"
  echo "$pid"
}

start() {
  local n=${1:-2}
  [[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 20 ]] || die "N: $n (expected: 1-20)"
  [[ -s $pids ]] && die "a fleet is already recorded in $pids; run '$0 stop' first"
  command -v curl >/dev/null || die "curl is required"
  mkdir -p "$state"

  local offsets=() i=0
  while (( ${#offsets[@]} < n )); do
    local p=$(( proxy_base + i ))
    (( p != admin && p != grpc )) && offsets+=("$i")
    i=$(( i + 1 ))
  done
  local port
  for port in "$admin" "$grpc" $(for i in "${offsets[@]}"; do echo $(( proxy_base + i )) $(( status_base + i )); done); do
    port_busy "$port" && die "port $port is already in use"
  done

  local cp
  # The proxies join over mTLS with the bootstrap token the control plane writes at every start.
  cp=$(launch control-plane EDGEWAY_DATA_DIR="$data/control-plane" EDGEWAY_ADMIN_PORT="$admin" \
    EDGEWAY_GRPC_PORT="$grpc" EDGEWAY_GRPC_ADDRESS=127.0.0.1 \
    EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE="$data/control-plane/bootstrap-join-token" -- control-plane)
  # The first start may build the jars and initialise PostgreSQL: allow a few minutes.
  wait_http "http://127.0.0.1:$admin/healthz" 300 "$cp" \
    || { stop; die "control plane did not come up; see $state/control-plane.log"; }

  local pid
  for i in "${offsets[@]}"; do
    launch_proxy "$i" checkout
    pid=$(pid_of "proxy-$i"); pid=${pid%%:*}
    wait_http "http://127.0.0.1:$(( status_base + i ))/healthz" 120 "$pid" \
      || { stop; die "proxy-$i did not come up; see $state/proxy-$i.log"; }
  done

  echo "admin API + UI  http://127.0.0.1:$admin/   token: \$EDGEWAY_ADMIN_TOKEN or $data/control-plane/admin-token"
  for i in "${offsets[@]}"; do
    echo "proxy-$i         http://127.0.0.1:$(( proxy_base + i ))/   status http://127.0.0.1:$(( status_base + i ))/readyz"
  done
  echo "logs in $state; stop with: $0 stop"
}

status() {
  [[ -s $pids ]] || { echo "no fleet recorded"; return 0; }
  local name pid st ver ready i
  while read -r name pid st ver; do
    if ours "$pid" "$st"; then
      ready=""
      if [[ $name == proxy-* ]]; then
        i=${name#proxy-}
        ready="readyz=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(( status_base + i ))/readyz" || true)"
      fi
      echo "$name pid=$pid running ${ver:+version=$ver }$ready"
    else
      echo "$name pid=$pid gone"
    fi
  done <"$pids"
}

stop() {
  [[ -s $pids ]] || { echo "no fleet recorded"; return 0; }
  local name pid st _ live=()
  # Proxies first (they drain), then the control plane, so the proxies never reconnect in a loop.
  while read -r name pid st _; do
    ours "$pid" "$st" || continue
    [[ $name == control-plane ]] && continue
    kill -TERM "$pid" 2>/dev/null && live+=("$pid:$st")
  done <"$pids"
  wait_gone 45 "${live[@]}"
  live=()
  while read -r name pid st _; do
    [[ $name == control-plane ]] && ours "$pid" "$st" && kill -TERM "$pid" 2>/dev/null && live+=("$pid:$st")
  done <"$pids"
  wait_gone 30 "${live[@]}"
  rm -f "$pids"
  echo "fleet stopped"
}

# wait_gone SECONDS pid:starttime...: wait for exit; SIGKILL what is left when the time is up
# (45 s for proxies = drain delay 5 s + drain timeout 30 s + margin).
wait_gone() {
  local deadline=$(( $(date +%s) + $1 )) entry left
  shift
  while (( $(date +%s) < deadline )); do
    left=0
    for entry in "$@"; do ours "${entry%%:*}" "${entry#*:}" && left=1; done
    (( left )) || return 0
    sleep 0.5
  done
  for entry in "$@"; do
    ours "${entry%%:*}" "${entry#*:}" && kill -KILL "${entry%%:*}" 2>/dev/null || true
  done
}

# shellcheck source=deploy/fleet/fleet-ops.sh
source "$root/deploy/fleet/fleet-ops.sh"

cd "$root"
case ${1:-} in
  start) start "${2:-2}" ;;
  stop) stop ;;
  status) status ;;
  lb) lb_start; route_setup ;;
  scale) scale "${2:?scale N}" ;;
  release) release "${2:?release VERSION [TARBALL]}" "${3:-}" ;;
  demo) demo "${2:-}" ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
