#!/usr/bin/env bash
# Bytes allocated per proxied request, per thread, for one Edgeway build: a measure machine load barely moves
# (unlike CPU-µs or req/s), so two builds or two settings can be compared on a busy machine.
#
#   bench/alloc-per-request.sh                                  # this checkout
#   EDGEWAY_CMD=/work/wt-old/edgeway bench/alloc-per-request.sh # another build
#
# Starts an nginx backend (100 B and 16 KiB files), a control plane with one route, and two proxies: "off"
# (route metrics, access log and trace context off) and "obs" (all on, JSON access log to a file), as
# proxy-bench.sh's OBSERVABILITY=1 does. Each proxy gets WARMUP seconds of wrk load per size; then, per proxy
# and size, a JFR recording with only jdk.ThreadAllocationStatistics (emitted when a recording starts and
# when it stops) brackets a DURATION-second wrk run, and the per-thread deltas are divided by the requests wrk
# completed, after subtracting what the same threads allocate in as long with no load. CPU-µs per request (utime+stime of the JVM from /proc) is printed too, for what it is worth.
# Settings: BASE_PORT (24100), WARMUP (20), DURATION (5), CONNECTIONS (50), PROXY_CPU (1), LOAD_CPU (0).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDGEWAY_CMD=${EDGEWAY_CMD:-$repo/edgeway}
BASE_PORT=${BASE_PORT:-24100}
WARMUP=${WARMUP:-20}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-50}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
NICE=0

log() { printf '[alloc %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

backend_port=$BASE_PORT off_port=$((BASE_PORT + 1)) obs_port=$((BASE_PORT + 2))
off_status=$((BASE_PORT + 3)) obs_status=$((BASE_PORT + 4)) cp_admin=$((BASE_PORT + 5)) cp_grpc=$((BASE_PORT + 6))

# shellcheck source=common.sh
source "$repo/bench/common.sh"
# shellcheck source=nginx-common.sh
source "$repo/bench/nginx-common.sh"
new_run_dir alloc
install_cleanup
for p in $backend_port $off_port $obs_port $off_status $obs_status $cp_admin $cp_grpc; do
  port_busy "$p" && die "port $p is in use (set BASE_PORT)"
done

make_www
{
  nginx_common "$tmp/backend"
  printf '  sendfile on;\n  default_type application/octet-stream;\n'
  printf '  server {\n    listen 127.0.0.1:%s backlog=4096;\n    root %s;\n  }\n}\n' "$backend_port" "$tmp/www"
} >"$tmp/backend/nginx.conf"
start_nginx backend "$tmp/backend" "$LOAD_CPU" "$backend_port"

token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
(cd "$repo" && EDGEWAY_DATA_DIR="$tmp/cp" EDGEWAY_ADMIN_PORT=$cp_admin EDGEWAY_GRPC_PORT=$cp_grpc \
  EDGEWAY_ADMIN_TOKEN=$token EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
  exec taskset -c "$LOAD_CPU" "$EDGEWAY_CMD" control-plane) >"$tmp/control-plane.log" 2>&1 &
cp_pid=$!
track "$cp_pid" control-plane
wait_until 180 "$cp_pid" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$cp_admin/healthz" || die "control plane not healthy"
api() { curl -sf -m 5 -o /dev/null -XPOST "http://127.0.0.1:$cp_admin/api/v1/$1" -H "Authorization: Bearer $token" \
  -H 'content-type: application/json' -d "$2" || die "POST $1 failed"; }
api upstreams "{\"name\":\"bench\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":$backend_port}]}"
api routes '{"name":"bench","paths":["/"],"upstream":"bench"}'

declare -A pid
start_proxy() { # NAME PORT STATUS ENV...
  mkdir -p "$tmp/$1"
  (cd "$repo" && exec env "${@:4}" EDGEWAY_WORKERS=1 EDGEWAY_PROXY_PORT="$2" EDGEWAY_TLS_PORT=0 \
    EDGEWAY_STATUS_PORT="$3" EDGEWAY_DATA_DIR="$tmp/$1" EDGEWAY_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
    taskset -c "$PROXY_CPU" "$EDGEWAY_CMD" dataplane --control-plane "127.0.0.1:$cp_grpc") >"$tmp/$1.log" 2>&1 &
  pid[$1]=$!
  track "${pid[$1]}" "$1"
  wait_until 120 "${pid[$1]}" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$3/readyz" || die "$1 never became ready"
  [[ $(cat "/proc/${pid[$1]}/comm") == java ]] || die "$1: pid ${pid[$1]} is not the JVM"
}
start_proxy off $off_port $off_status EDGEWAY_ROUTE_METRICS=off EDGEWAY_ACCESS_LOG=off EDGEWAY_TRACE_CONTEXT=off
start_proxy obs $obs_port $obs_status EDGEWAY_ROUTE_METRICS=on EDGEWAY_TRACE_CONTEXT=on \
  EDGEWAY_ACCESS_LOG="$tmp/obs/access.log" EDGEWAY_ACCESS_LOG_FORMAT=json
declare -A proxy_port=([off]=$off_port [obs]=$obs_port)

# Only the per-thread allocation counters, written at the recording's start and at its end.
cat >"$tmp/alloc.jfc" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
</configuration>
EOF

wrk_run() { # PORT PATH SECONDS: prints the requests completed
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$3" "http://127.0.0.1:$1$2" >"$tmp/wrk.out" 2>&1
  grep -q 'Non-2xx' "$tmp/wrk.out" && die "wrk saw errors: $(cat "$tmp/wrk.out")"
  awk '/requests in/ {print $1}' "$tmp/wrk.out"
}

for t in off obs; do
  log "warm-up: $t, ${WARMUP}s per size"
  for path in /small /16k; do wrk_run "${proxy_port[$t]}" $path "$WARMUP" >/dev/null; done
done

printf '| build | proxy | size | requests | B/req event loop | B/req all threads | CPU-µs/req |\n|---|---|---|---:|---:|---:|---:|\n'
hz=$(getconf CLK_TCK)
# jfr_alloc PID OUT: per-thread bytes allocated between JFR.start (already done) and now -> OUT as "thread bytes" lines
jfr_alloc() {
  jcmd "$1" JFR.stop name=alloc filename="$tmp/a.jfr" >/dev/null
  jfr print --json --events jdk.ThreadAllocationStatistics "$tmp/a.jfr" | python3 -c '
import json, sys
first, last = {}, {}
for e in json.load(sys.stdin)["recording"]["events"]:
    v = e["values"]
    name = ((v.get("thread") or {}).get("javaName") or "?").replace(" ", "_")
    first.setdefault(name, v["allocated"])
    last[name] = v["allocated"]
for k in first:
    print(k, last[k] - first[k])
' >"$2"
}
for t in off obs; do
  # What the JVM allocates with no requests at all (timers, the config stream, JFR itself), per second:
  # subtracted from the loaded runs, so a slow run (few requests) does not look like a costly one.
  jcmd "${pid[$t]}" JFR.start name=alloc settings="$tmp/alloc.jfc" >/dev/null
  i0=$(date +%s%N)
  sleep "$DURATION"
  jfr_alloc "${pid[$t]}" "$tmp/idle-$t"
  i1=$(date +%s%N)
  for path in /small /16k; do
    jcmd "${pid[$t]}" JFR.start name=alloc settings="$tmp/alloc.jfc" >/dev/null
    t0=$(cpu_ticks "${pid[$t]}")
    l0=$(date +%s%N)
    n=$(wrk_run "${proxy_port[$t]}" $path "$DURATION")
    t1=$(cpu_ticks "${pid[$t]}")
    jfr_alloc "${pid[$t]}" "$tmp/load"
    l1=$(date +%s%N)
    read -r loop all top < <(python3 - "$tmp/idle-$t" "$tmp/load" "$n" $(( (l1 - l0) * 1000 / (i1 - i0) )) <<'PY'
import sys
idle = dict((k, int(v)) for k, v in (l.split() for l in open(sys.argv[1])))
load = dict((k, int(v)) for k, v in (l.split() for l in open(sys.argv[2])))
n, scale = int(sys.argv[3]), int(sys.argv[4]) / 1000
net = {k: v - idle.get(k, 0) * scale for k, v in load.items()}
top = max(net, key=net.get)
print(round(net[top] / n), round(sum(net.values()) / n), top)
PY
)
    cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v n="$n" 'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}')
    printf '| %s | %s | %s | %s | %s (%s) | %s | %s |\n' "$(basename "$(dirname "$EDGEWAY_CMD")")" "$t" "$path" "$n" "$loop" "$top" "$all" "$cpu"
  done
done
