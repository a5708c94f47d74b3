#!/usr/bin/env bash
# Edgeway vs nginx vs HAProxy as HTTP/1.1 reverse proxies, measured on this machine in one run, on loopback.
#
#   bench/proxy-bench.sh                       ROUNDS=3 DURATION=10, all four targets
#   ROUNDS=1 DURATION=5 bench/proxy-bench.sh   quick look
#   SKIP_EDGEWAY=1 bench/proxy-bench.sh        nginx/HAProxy/direct only (e.g. before the jars are built)
#   OBSERVABILITY=1 bench/proxy-bench.sh       also: Edgeway with everything on (route metrics, JSON access log
#                                              to a file, trace context) as target edgeway-obs, with "edgeway"
#                                              then everything off, and nginx with access_log on (nginx-log)
#   COLD=1 bench/proxy-bench.sh               the cold-start comparison instead (issue 21): bench/cold-start.sh,
#   WARMUP=0 bench/proxy-bench.sh             every option (nginx; Edgeway on JDK 17 / 25, warm-up off / on)
#                                              started fresh each round, the first 30 s of load second by second
#                                              (with EDGEWAY_B_CMD: each Edgeway option also as OPTION-b)
#   OBSERVABILITY=1 OBS_ENV="EDGEWAY_ACCESS_LOG=off" bench/proxy-bench.sh
#                                              edgeway-obs with other settings (here: the binary's defaults)
#   OBSERVABILITY=1 B_OBS=1 EDGEWAY_B_CMD=... bench/proxy-bench.sh
#                                              edgeway-b with edgeway-obs's settings (all on, its own access log
#                                              file): the A/B of what observability costs in two builds
#   RATE_LIMIT=1 bench/proxy-bench.sh          also: target edgeway-rl, the same proxy and upstream through a
#                                              route with a rate limit by client_ip far above the offered rate
#                                              (Host: rl.bench), so the limit's CPU cost is the ratio to edgeway
#   EDGEWAY_B_CMD=/path/to/other/edgeway bench/proxy-bench.sh
#                                              A/B: also target edgeway-b, the other build's proxy (same control
#                                              plane, pinning, settings as edgeway, rotated with the others every
#                                              round), and B/A ratios per round: a code change apart from drift
#
# One backend (nginx, 1 worker, static 100 B and 16 KiB files) serves every target. Each target gets the same
# load: wrk, 1 thread, CONNECTIONS keep-alive connections, DURATION seconds, in interleaved rounds (the order
# rotates every round so drift in the machine does not favour one target). The proxy under test runs alone on
# PROXY_CPU; backend, wrk and the (idle) control plane share LOAD_CPU. Per run we record req/s, p50/p99 and the
# proxy's CPU time (utime+stime of all its processes) divided by completed requests: CPU-µs per request is the
# number that says how much hardware a proxy needs, independent of how fast the load generator is.
# See bench/README.md for how to read the output.
set -euo pipefail

# COLD=1 or WARMUP=0 (issue 21's name for it): hand over to the cold-start bench (its own settings: ROUNDS, SECS,
# OPTIONS, BASE_PORT, EDGEWAY_B_CMD; see its header). Here a proxy is started once and warmed before its rounds, so
# no WARMUP value could show the first seconds of a fresh one beside a fresh nginx: cold-start.sh starts both anew.
if [[ ${COLD:-0} == 1 || ${WARMUP:-} == 0 ]]; then exec "$(dirname "${BASH_SOURCE[0]}")/cold-start.sh"; fi

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
WARMUP=${WARMUP:-180}            # seconds of uncounted load per size for Edgeway (JIT); 2 s for the others
SKIP_EDGEWAY=${SKIP_EDGEWAY:-0}
# edgeway-obs's settings (OBSERVABILITY=1), as VAR=value words; later words win over the all-on defaults.
read -r -a obs_env <<<"${OBS_ENV:-}"
OBSERVABILITY=${OBSERVABILITY:-0}
B_OBS=${B_OBS:-0}                # with OBSERVABILITY=1: edgeway-b runs all on (as edgeway-obs), not all off
RATE_LIMIT=${RATE_LIMIT:-0}
BENCH_ALLOW_BUILD=${BENCH_ALLOW_BUILD:-0}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BASE_PORT=${BASE_PORT:-18080}    # backend, nginx, haproxy, edgeway proxy = BASE_PORT+0..3; more above it
THREADS_OUT=${THREADS_OUT:-}     # a directory: each Edgeway run's CPU per JVM thread (bench/thread-split.py reads it)
NICE=${NICE:-0}                  # e.g. -10 (root) to shield every process of the bench from other work alike

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The launcher to run; e.g. /opt/edgeway/edgeway to measure an installed release instead of this checkout.
EDGEWAY_CMD=${EDGEWAY_CMD:-$repo/edgeway}
EDGEWAY_B_CMD=${EDGEWAY_B_CMD:-} # another build's launcher: target edgeway-b (A/B in one run)
results_dir=$repo/bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)

declare -A port=(
  [direct]=$BASE_PORT [nginx]=$((BASE_PORT + 1)) [haproxy]=$((BASE_PORT + 2)) [edgeway]=$((BASE_PORT + 3))
  [nginx-log]=$((BASE_PORT + 4)) [edgeway-obs]=$((BASE_PORT + 5)) [edgeway-rl]=$((BASE_PORT + 3))
  [edgeway-b]=$((BASE_PORT + 6))
)
# A target reached with another Host header: edgeway-rl is the edgeway proxy itself, on the rate-limited route.
declare -A host_header=([edgeway-rl]=rl.bench)
ew_status=$((BASE_PORT + 103))
ew_obs_status=$((BASE_PORT + 105))
ew_b_status=$((BASE_PORT + 106))
cp_admin=$((BASE_PORT + 110))
cp_grpc=$((BASE_PORT + 111))
declare -A size_bytes=([small]=100 [16k]=16384)
read -r -a sizes <<<"${SIZES:-small 16k}" # e.g. SIZES=small: half the lock hold
targets=(direct nginx haproxy edgeway)
[[ $SKIP_EDGEWAY == 1 ]] && targets=(direct nginx haproxy)
[[ $OBSERVABILITY =~ ^[01]$ ]] || { echo "OBSERVABILITY: $OBSERVABILITY (expected: 0 or 1)" >&2; exit 1; }
if [[ $OBSERVABILITY == 1 ]]; then
  targets+=(nginx-log)
  [[ $SKIP_EDGEWAY == 1 ]] || targets+=(edgeway-obs)
fi
[[ $RATE_LIMIT =~ ^[01]$ ]] || { echo "RATE_LIMIT: $RATE_LIMIT (expected: 0 or 1)" >&2; exit 1; }
[[ $RATE_LIMIT == 1 && $SKIP_EDGEWAY != 1 ]] && targets+=(edgeway-rl)
[[ -n $EDGEWAY_B_CMD && $SKIP_EDGEWAY != 1 ]] && targets+=(edgeway-b)

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_positive ROUNDS DURATION
for s in "${sizes[@]}"; do [[ -n ${size_bytes[$s]:-} ]] || die "SIZES: $s (expected: small and/or 16k)"; done
[[ -z $THREADS_OUT ]] || mkdir -p "$THREADS_OUT" # made here: a run died at its first sample when it did not exist
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP: $WARMUP (expected: seconds)"
need_nice
need_two_cpus

# --- tools -----------------------------------------------------------------------------------------------
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v haproxy >/dev/null || need+=(haproxy)
command -v wrk >/dev/null || need+=(wrk)
command -v taskset >/dev/null || need+=(util-linux)
command -v curl >/dev/null || need+=(curl)
if (( ${#need[@]} )); then
  (( EUID == 0 )) || die "missing ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}"
  log "installing ${need[*]}"
  apt-get update -qq
  # policy-rc.d style environments refuse to start the packaged services; we never use them anyway.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  # On a systemd host the packages start their default services (nginx on :80); they were not running
  # before we installed them and the bench never uses them, so put them back to off.
  for svc in nginx haproxy; do
    if [[ " ${need[*]} " == *" $svc "* ]] && systemctl is-active --quiet "$svc" 2>/dev/null; then
      log "stopping and disabling the packaged $svc service"
      systemctl disable --now --quiet "$svc" || true
    fi
  done
fi
command -v python3 >/dev/null || die "python3 is required for the summary"
clk_tck=$(getconf CLK_TCK)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Edgeway prerequisites, checked before anything starts -----------------------------------------------
cp_pid=""
edgeway_fail() {
  die "Edgeway was NOT benchmarked: $*
  (SKIP_EDGEWAY=1 runs the other targets alone)"
}

if [[ $SKIP_EDGEWAY != 1 ]]; then
  [[ -x $EDGEWAY_CMD ]] || edgeway_fail "no launcher at $EDGEWAY_CMD"
  [[ -z $EDGEWAY_B_CMD ]] || launcher_ready "$EDGEWAY_B_CMD" edgeway_fail
fi
if [[ $SKIP_EDGEWAY != 1 && $EDGEWAY_CMD == "$repo/edgeway" ]]; then
  compgen -G "$repo/control-plane/target/*.jar" >/dev/null || edgeway_fail "control-plane/target has no jar"
  compgen -G "$repo/proxy-dataplane/target/*.jar" >/dev/null || edgeway_fail "proxy-dataplane/target has no jar"
  [[ -d $repo/control-plane/target/lib && -d $repo/proxy-dataplane/target/lib ]] \
    || edgeway_fail "control-plane/target/lib or proxy-dataplane/target/lib is missing"
  # The launcher rebuilds when sources are newer than the jars; a build in the middle of a benchmark skews it
  # and may not finish in the start timeouts, so ask for an explicit build instead.
  # shellcheck disable=SC2012 # the newest by mtime: ls -t is the plain way
  newest_jar=$(ls -t "$repo"/proxy-dataplane/target/*.jar | head -1)
  if [[ $BENCH_ALLOW_BUILD != 1 ]] && [[ -n $(find "$repo" -path '*/target' -prune -o \( -name '*.java' -o -name pom.xml \
      -o -name '*.proto' -o -path '*/resources/*' \) -newer "$newest_jar" -print -quit) ]]; then
    edgeway_fail "sources are newer than the jars (the launcher would rebuild first); run ./edgeway build, or BENCH_ALLOW_BUILD=1"
  fi

fi

# --- the run directory, and the EXIT trap that stops only what this script started -----------------------
new_run_dir bench # nginx workers run as nobody and read the static files from here
install_cleanup
ports_free "${port[@]}" "$ew_status" "$ew_obs_status" "$ew_b_status" "$cp_admin" "$cp_grpc"

# --- backend: nginx with static files --------------------------------------------------------------------
# shellcheck source=nginx-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx-common.sh"
make_www

{
  nginx_common "$tmp/backend"
  cat <<EOF
  sendfile on;
  tcp_nopush on;
  open_file_cache max=16;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port[direct]} backlog=4096;
    root $tmp/www;
  }
}
EOF
} >"$tmp/backend/nginx.conf"
{
  nginx_common "$tmp/nginx"
  cat <<EOF
  upstream backend {
    server 127.0.0.1:${port[direct]};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port[nginx]} backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
} >"$tmp/nginx/nginx.conf"
# The same proxy with nginx's default access log on (combined format, a write per request), for the
# observability comparison; it runs only with OBSERVABILITY=1.
mkdir -p "$tmp/nginx-log"
sed -e "s|$tmp/nginx|$tmp/nginx-log|g" -e "s|127.0.0.1:${port[nginx]} |127.0.0.1:${port[nginx-log]} |" \
  -e "s|^  access_log off;|  access_log $tmp/nginx-log/access.log combined;|" "$tmp/nginx/nginx.conf" >"$tmp/nginx-log/nginx.conf"
cat >"$tmp/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${port[haproxy]}
  default_backend be
backend be
  server backend 127.0.0.1:${port[direct]}
EOF

declare -A pids # target -> pids whose CPU time is the proxy's cost


log "backend: nginx on CPU $LOAD_CPU, port ${port[direct]}"
start_nginx backend "$tmp/backend" "$LOAD_CPU" "${port[direct]}"
log "nginx proxy on CPU $PROXY_CPU, port ${port[nginx]}"
start_nginx nginx "$tmp/nginx" "$PROXY_CPU" "${port[nginx]}"
pids[nginx]=$nginx_pids
if [[ $OBSERVABILITY == 1 ]]; then
  log "nginx proxy with access_log on CPU $PROXY_CPU, port ${port[nginx-log]}"
  start_nginx nginx-log "$tmp/nginx-log" "$PROXY_CPU" "${port[nginx-log]}"
  pids[nginx-log]=$nginx_pids
fi
log "haproxy on CPU $PROXY_CPU, port ${port[haproxy]}"
haproxy -c -q -f "$tmp/haproxy.cfg" || die "haproxy rejected its config"
nice -n "$NICE" taskset -c "$PROXY_CPU" haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pids[haproxy]=$!
track "${pids[haproxy]}" haproxy
wait_until 10 "${pids[haproxy]}" port_busy "${port[haproxy]}" || die "haproxy did not start: $(tail -5 "$tmp/haproxy.log")"
pids[direct]=""

# --- Edgeway: control plane (CPU LOAD_CPU, idle during the runs) + one proxy (CPU PROXY_CPU) -------------
# http CODE_FILE BODY_FILE curl-args...: prints the HTTP status (000 when there was no answer).
http() { curl -s -m 5 -o "$1" -w '%{http_code}' "${@:2}" || true; }

if [[ $SKIP_EDGEWAY != 1 ]]; then
  log "edgeway control plane on CPU $LOAD_CPU (admin $cp_admin, grpc $cp_grpc)"
  start_control_plane edgeway_fail

  auth="Authorization: Bearer $admin_token"
  # -m 30 on the admin POSTs: the first one to a fresh control plane (class loading, the pool's first
  # transaction) took over http()'s 5 s on a machine at load average ~45, and the run died there
  code=$(http "$tmp/upstream.json" -m 30 -XPOST "http://127.0.0.1:$cp_admin/api/v1/upstreams" -H "$auth" -H 'content-type: application/json' \
    -d "{\"name\":\"bench\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":${port[direct]}}]}")
  [[ $code == 2* ]] || edgeway_fail "POST /api/v1/upstreams -> $code: $(head -c 500 "$tmp/upstream.json")"
  code=$(http "$tmp/route.json" -m 30 -XPOST "http://127.0.0.1:$cp_admin/api/v1/routes" -H "$auth" -H 'content-type: application/json' \
    -d '{"name":"bench","paths":["/"],"upstream":"bench"}')
  [[ $code == 2* ]] || edgeway_fail "POST /api/v1/routes -> $code: $(head -c 500 "$tmp/route.json")"
  if [[ $RATE_LIMIT == 1 ]]; then
    # A billion per second per client address: every request is counted in its bucket, none is ever refused.
    code=$(http "$tmp/route-rl.json" -m 30 -XPOST "http://127.0.0.1:$cp_admin/api/v1/routes" -H "$auth" -H 'content-type: application/json' \
      -d '{"name":"bench-rl","hosts":["rl.bench"],"paths":["/"],"upstream":"bench","rate_limit":{"requests":1000000000,"per":"1s","by":"client_ip"}}')
    [[ $code == 2* ]] || edgeway_fail "POST /api/v1/routes (bench-rl) -> $code: $(head -c 500 "$tmp/route-rl.json")"
  fi

  # start_edgeway TARGET STATUS_PORT DIR ENV...: one proxy with the given observability settings, from
  # EDGEWAY_B_CMD's build for edgeway-b, else from EDGEWAY_CMD's.
  start_edgeway() {
    local t=$1 status=$2 dir=$3 cmd=$EDGEWAY_CMD
    [[ $t == edgeway-b ]] && cmd=$EDGEWAY_B_CMD
    log "$t proxy on CPU $PROXY_CPU (proxy ${port[$t]}, status $status, 1 worker; ${*:4}; $cmd)"
    mkdir -p "$dir"
    (cd "$repo" && exec env "${@:4}" EDGEWAY_WORKERS=1 EDGEWAY_PROXY_PORT="${port[$t]}" EDGEWAY_TLS_PORT=0 \
      EDGEWAY_STATUS_PORT="$status" EDGEWAY_DATA_DIR="$dir" EDGEWAY_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
      nice -n "$NICE" taskset -c "$PROXY_CPU" "$cmd" dataplane --control-plane "127.0.0.1:$cp_grpc") \
      >"$tmp/$t.log" 2>&1 &
    pids[$t]=$!
    track "${pids[$t]}" "$t"
    wait_until 120 "${pids[$t]}" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$status/readyz" \
      || edgeway_fail "$t never became ready (/readyz): $(tail -20 "$tmp/$t.log")"
    grep -m1 'edgeway dataplane listening' "$tmp/$t.log" >&2 || true
    # The launcher execs java: the pid we hold must be the JVM, or the CPU numbers would be the shell's.
    [[ $(cat "/proc/${pids[$t]}/comm") == java ]] \
      || edgeway_fail "pid ${pids[$t]} is $(cat "/proc/${pids[$t]}/comm"), not java (does the launcher exec?)"
  }
  # edgeway-b (A/B) runs with edgeway's settings: the builds are what differs
  ab=()
  if [[ $OBSERVABILITY == 1 ]]; then
    # "edgeway" is everything off; "edgeway-obs" everything on: route metrics, a JSON access log to a file, trace context.
    ab=(EDGEWAY_ROUTE_METRICS=off EDGEWAY_ACCESS_LOG=off EDGEWAY_TRACE_CONTEXT=off)
    start_edgeway edgeway "$ew_status" "$tmp/dp" "${ab[@]}"
    start_edgeway edgeway-obs "$ew_obs_status" "$tmp/dp-obs" EDGEWAY_ROUTE_METRICS=on EDGEWAY_TRACE_CONTEXT=on \
      EDGEWAY_ACCESS_LOG="$tmp/dp-obs/access.log" EDGEWAY_ACCESS_LOG_FORMAT=json "${obs_env[@]}"
    # B_OBS=1: the other build all on too, so the A/B compares the builds' observability (edgeway-obs / edgeway-b)
    [[ $B_OBS == 1 ]] && ab=(EDGEWAY_ROUTE_METRICS=on EDGEWAY_TRACE_CONTEXT=on \
      EDGEWAY_ACCESS_LOG="$tmp/dp-b/access.log" EDGEWAY_ACCESS_LOG_FORMAT=json "${obs_env[@]}")
  else
    start_edgeway edgeway "$ew_status" "$tmp/dp" # the defaults a user gets
  fi
  [[ -n $EDGEWAY_B_CMD ]] && start_edgeway edgeway-b "$ew_b_status" "$tmp/dp-b" "${ab[@]}"
  [[ $RATE_LIMIT == 1 ]] && pids[edgeway-rl]=${pids[edgeway]} # one JVM, two routes: its CPU per run is that run's
fi

# Every target must return the exact file before anything is timed.
for t in "${targets[@]}"; do
  for s in "${sizes[@]}"; do
    ok=0
    for _ in $(seq 1 50); do # the proxy may still be applying the route: up to ~10 s
      code=$(http "$tmp/check" -D "$tmp/check-head" ${host_header[$t]:+-H "Host: ${host_header[$t]}"} "http://127.0.0.1:${port[$t]}/$s")
      # edgeway-rl must really be the rate-limited route: its answers carry the limit's headers
      if [[ $code == 200 ]] && cmp -s "$tmp/check" "$tmp/www/$s" \
        && { [[ $t != edgeway-rl ]] || grep -qi '^ratelimit-policy:' "$tmp/check-head"; }; then ok=1; break; fi
      sleep 0.2
    done
    (( ok )) || die "$t /$s: HTTP $code, $(stat -c %s "$tmp/check" 2>/dev/null || echo 0) bytes (expected 200, ${size_bytes[$s]} bytes identical to the file)"
  done
done
log "all targets return both files correctly"
for t in "${targets[@]}"; do
  for pid in ${pids[$t]}; do log "$t pid $pid: $(taskset -cp "$pid" | sed 's/.*: /CPUs /')"; done
done

# --- load -------------------------------------------------------------------------------------------------
# to_us VALUE: wrk latency (e.g. 812.00us, 1.23ms, 2.00s) in microseconds
to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000; else m = -1
    if (m < 0) exit 1; printf "%.1f", n * m }'
}

# load TARGET SIZE SECONDS OUT: wrk pinned to the load CPU, bounded by timeout
load() {
  timeout $(( $3 + 30 )) nice -n "$NICE" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$3"s --latency -s "$repo/bench/wrk-tail.lua" \
    ${host_header[$1]:+-H "Host: ${host_header[$1]}"} "http://127.0.0.1:${port[$1]}/$2" >"$4" 2>&1 || die "wrk against $1 /$2 failed: $(tail -5 "$4")"
}

mkdir -p "$results_dir"
csv=$results_dir/proxy-bench-$stamp.csv
echo "round,target,size,requests,seconds,rps,p50_us,p99_us,p999_us,max_us,proxy_cpu_ticks,cpu_us_per_req,non2xx,socket_errors,cp_cpu_ticks,proxy_cpu_busy_ticks" >"$csv"

# thread_ticks PID: "tid|name|utime+stime ticks" per thread of a JVM, for THREADS_OUT (bench/thread-split.py)
thread_ticks() {
  local f stat
  for f in /proc/"$1"/task/*/stat; do
    stat=$(cat "$f" 2>/dev/null) || continue # a thread that ended meanwhile
    # the name is between the first "(" and the last ")"; utime and stime are fields 14 and 15
    awk -v s="$stat" 'BEGIN { o = index(s, "("); c = match(s, /\)[^)]*$/); split(substr(s, c + 2), f, " ")
      print substr(s, 1, o - 2) "|" substr(s, o + 1, c - o - 1) "|" f[12] + f[13] }'
  done
}

# measure ROUND TARGET SIZE: one counted run, appended to the CSV
measure() {
  local round=$1 t=$2 s=$3 out="$tmp/wrk-$1-$2-$3.txt" before after cp_before=0 cp_after=0 busy_before busy_after
  busy_before=$(cpu_busy "$PROXY_CPU")
  # shellcheck disable=SC2086 # one pid or several (a master and its workers)
  before=$(cpu_ticks ${pids[$t]})
  [[ -n $cp_pid ]] && cp_before=$(cpu_ticks "$cp_pid")
  [[ -n $THREADS_OUT && $t == edgeway* ]] && thread_ticks "${pids[$t]}" >"$THREADS_OUT/$round-$t-$s-before"
  load "$t" "$s" "$DURATION" "$out"
  if [[ -n $THREADS_OUT && $t == edgeway* ]]; then
    thread_ticks "${pids[$t]}" >"$THREADS_OUT/$round-$t-$s-after"
    awk '/requests in/ {print $1}' "$out" >"$THREADS_OUT/$round-$t-$s-reqs"
  fi
  # shellcheck disable=SC2086 # one pid or several (a master and its workers)
  after=$(cpu_ticks ${pids[$t]})
  busy_after=$(cpu_busy "$PROXY_CPU")
  [[ -n $cp_pid ]] && cp_after=$(cpu_ticks "$cp_pid")

  local reqs secs rps p50 p99 p999 max non2xx sockerr cpu_us
  read -r reqs secs < <(awk '/requests in/ {gsub(/s,$/, "", $4); print $1, $4}' "$out") || true
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")") || die "no p50 in $out"
  p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")") || die "no p99 in $out"
  read -r p999 max < <(awk '$1 == "tail" {print $2, $3}' "$out") || die "no tail line in $out"
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out")
  sockerr=$(awk -F'[ ,]+' '/Socket errors/ {print $5 + $7 + $9 + $11}' "$out")
  [[ -n $reqs && $reqs -gt 0 ]] || die "no completed requests in $out"
  if [[ -n ${pids[$t]} ]]; then
    cpu_us=$(awk -v d=$((after - before)) -v hz="$clk_tck" -v n="$reqs" 'BEGIN {printf "%.2f", d / hz * 1e6 / n}')
  else
    cpu_us="" # direct: there is no proxy
  fi
  echo "$round,$t,$s,$reqs,$secs,$rps,$p50,$p99,$p999,$max,$((after - before)),$cpu_us,${non2xx:-0},${sockerr:-0},$((cp_after - cp_before)),$((busy_after - busy_before))" >>"$csv"
  log "round $round $t/$s: $rps req/s, p50 ${p50}us p99 ${p99}us p99.9 ${p999}us max ${max}us, ${cpu_us:--} CPU-us/req${non2xx:+, NON-2XX $non2xx}"
}

# Edgeway's warm-up (WARMUP s per size for each Edgeway target) comes in 10 s slices, sizes alternating and the
# Edgeway targets (edgeway-b too) side by side, like the counted runs: each slice opens and closes its
# connections, so the JIT has compiled (and, where a first close or accept invalidated its assumptions,
# recompiled) that code too before anything is counted. The others get 2 s per size (caches).
warm_one() { load "$2" "$1" "$3" "$tmp/warmup-$2-$1.txt"; } # SIZE TARGET SECONDS
jit_targets=()
for t in "${targets[@]}"; do
  if [[ $t == edgeway* ]]; then jit_targets+=("$t"); else warm_slices 2 "${sizes[*]}" warm_one "$t"; fi
done
(( ${#jit_targets[@]} == 0 )) || warm_slices "$WARMUP" "${sizes[*]}" warm_one "${jit_targets[@]}"

n=${#targets[@]}
for round in $(seq 1 "$ROUNDS"); do
  for s in "${sizes[@]}"; do
    for i in $(seq 0 $((n - 1))); do
      measure "$round" "${targets[$(( (i + round - 1) % n ))]}" "$s"
    done
  done
done

# --- summary ----------------------------------------------------------------------------------------------
md=$results_dir/proxy-bench-$stamp.md
{
  echo "## Proxy benchmark $stamp"
  echo
  echo "- machine: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r), load avg before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) (anything else running skews the numbers)"
  echo "- load: wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency, $ROUNDS interleaved rounds, medians shown; proxy on CPU $PROXY_CPU, backend + wrk on CPU $LOAD_CPU, nice $NICE"
  echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(haproxy -v | head -1 | cut -d' ' -f1-3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(java -version 2>&1 | head -1)"
  [[ $SKIP_EDGEWAY == 1 ]] && echo "- **Edgeway was not run (SKIP_EDGEWAY=1)**"
  [[ $RATE_LIMIT == 1 ]] && echo "- RATE_LIMIT=1: edgeway-rl = the edgeway proxy on a route with a rate limit by client_ip (10^9/s, never reached), Host: rl.bench"
  [[ -n $EDGEWAY_B_CMD && $SKIP_EDGEWAY != 1 ]] && echo "- A/B: edgeway = $(launcher_label "$EDGEWAY_CMD"); edgeway-b = $(launcher_label "$EDGEWAY_B_CMD")$([[ $OBSERVABILITY$B_OBS == 11 ]] && echo ', all observability on (B_OBS=1): compare it with edgeway-obs')"
  [[ $OBSERVABILITY == 1 ]] && echo "- OBSERVABILITY=1: edgeway = route metrics, access log and trace context off; edgeway-obs = all on (JSON access log to a file)${OBS_ENV:+, then $OBS_ENV}; nginx-log = nginx with access_log combined to a file"
  echo
  PYTHONPATH="$repo/bench" python3 - "$csv" "$clk_tck" <<'PY'
import csv, statistics, sys
from ab_ratios import cells, per_round
rows = list(csv.DictReader(open(sys.argv[1])))
order = ["direct", "nginx", "nginx-log", "haproxy", "edgeway", "edgeway-b", "edgeway-rl", "edgeway-obs"]
med = {}
for (t, s) in sorted({(r["target"], r["size"]) for r in rows}, key=lambda k: (k[1] != "small", order.index(k[0]))):
    rs = [r for r in rows if r["target"] == t and r["size"] == s]
    m = lambda k: statistics.median(float(r[k]) for r in rs) if all(r[k] for r in rs) else None
    hz, pct = int(sys.argv[2]), lambda r, k: float(r[k]) / hz / float(r["seconds"]) * 100
    med[(t, s)] = dict(rps=m("rps"), p50=m("p50_us"), p99=m("p99_us"), p999=m("p999_us"), max=m("max_us"), cpu=m("cpu_us_per_req"),
                       util=None if t == "direct" else statistics.median(pct(r, "proxy_cpu_ticks") for r in rs),
                       other=statistics.median(min(100.0, max(0.0, pct(r, "proxy_cpu_busy_ticks") - pct(r, "proxy_cpu_ticks"))) for r in rs),
                       errors=sum(int(r["non2xx"]) + int(r["socket_errors"]) for r in rs),
                       )
fmt = lambda v, f: "—" if v is None else f.format(v)
print("| target | size | req/s | p50 ms | p99 ms | p99.9 ms | max ms | proxy CPU-µs/req | proxy CPU % | other on proxy CPU % | errors |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (t, s), v in med.items():
    print(f"| {t} | {s} | {fmt(v['rps'], '{:,.0f}')} | {fmt(v['p50'] and v['p50'] / 1000, '{:.3f}')} | "
          f"{fmt(v['p99'] and v['p99'] / 1000, '{:.3f}')} | {fmt(v['p999'] and v['p999'] / 1000, '{:.1f}')} | "
          f"{fmt(v['max'] and v['max'] / 1000, '{:.1f}')} | {fmt(v['cpu'], '{:.1f}')} | {fmt(v['util'], '{:.0f}')} | "
          f"{fmt(v['other'], '{:.0f}')} | {v['errors']} |")
print()
sizes = [s for s in ("small", "16k") if any(k[1] == s for k in med)]
def ratio(a, b, k):
    x, y = med.get(a), med.get(b)
    return "—" if not x or not y or x[k] is None or not y[k] else f"{x[k] / y[k]:.2f}x"
print("| ratio (lower is better for Edgeway, except req/s) | " + " | ".join(sizes) + " |")
print("|---|" + "---:|" * len(sizes))
for a, b, k, label in [("edgeway", "nginx", "cpu", "Edgeway / nginx CPU-µs per request"),
                       ("edgeway", "nginx", "p99", "Edgeway / nginx p99"),
                       ("edgeway", "nginx", "p999", "Edgeway / nginx p99.9"),
                       ("edgeway", "nginx", "rps", "Edgeway / nginx req/s"),
                       ("edgeway", "haproxy", "cpu", "Edgeway / HAProxy CPU-µs per request"),
                       ("edgeway", "haproxy", "p99", "Edgeway / HAProxy p99"),
                       ("haproxy", "nginx", "cpu", "HAProxy / nginx CPU-µs per request"),
                       ("haproxy", "nginx", "p99", "HAProxy / nginx p99"),
                       ("edgeway-obs", "edgeway", "cpu", "Edgeway all observability on / all off, CPU-µs per request (goal <= 1.1)"),
                       ("edgeway-obs", "nginx-log", "cpu", "Edgeway all on / nginx access_log on, CPU-µs per request (goal <= 1.2)"),
                       ("nginx-log", "nginx", "cpu", "nginx access_log on / off, CPU-µs per request"),
                       ("edgeway-rl", "edgeway", "cpu", "Edgeway with a rate limit by client_ip / without, CPU-µs per request (goal <= 1.05)"),
                       ("edgeway-b", "edgeway", "cpu", "B / A (edgeway-b / edgeway) CPU-µs per request, ratio of medians"),
                       ("edgeway-b", "edgeway", "p99", "B / A p99")]:
    if any((a, s) in med and (b, s) in med for s in sizes):
        print(f"| {label} | " + " | ".join(ratio((a, s), (b, s), k) for s in sizes) + " |")
if any(t == "edgeway-b" for t, _ in med):
    print("\n| B / A CPU-µs per request | median of per-round ratios | per round |")
    print("|---|---:|---|")
    for s in sizes:
        per = per_round(rows, "cpu_us_per_req", size=s)  # see ab_ratios.py
        if per:
            print(f"| {s} | {cells(per)} |")
if any(t == "edgeway" for t, _ in med):
    ms = sum(int(r["cp_cpu_ticks"]) for r in rows) * 1000 / int(sys.argv[2])
    secs = sum(float(r["seconds"]) for r in rows)
    print(f"\nEdgeway control plane JVM (on the load CPU): {ms:.0f} ms of CPU over {secs:.0f} s of measured load "
          f"({ms / 10 / secs:.2f} % of one core).")
worst = min(100.0, max((v["other"] for (t, _), v in med.items() if t != "direct"), default=0))
if worst > 10:
    print(f"\n**Other work used up to {worst:.0f} % of the proxy CPU during the runs: req/s and latency are not "
          "representative (CPU-µs/req less so). Rerun on a quiet machine, or with NICE=-10.**")
if any(v["errors"] for v in med.values()):
    print("\n**Some runs had non-2xx responses or socket errors: see the errors column and the CSV.**")
PY
  echo
  echo "Raw runs: ${csv#"$repo"/}"
} | tee "$md"
