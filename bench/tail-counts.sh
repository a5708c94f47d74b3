#!/usr/bin/env bash
# What stops or preempts the proxy's event loop in a warm proxy under steady load (issue 21, the warm tail),
# counted rather than timed, so that a loaded machine distorts it little: the same setup as proxy-bench.sh
# (nginx backend on LOAD_CPU; the nginx proxy and one Edgeway proxy pinned to PROXY_CPU), a warm-up, then one
# DURATION-second window of wrk per target in which it records
#   - JVM safepoints by reason, with their times (-Xlog:safepoint), GC pauses (-Xlog:gc), compilations (-Xlog:jit+compilation)
#   - per thread of the proxy (/proc/PID/task/*): CPU time, time slices, voluntary / involuntary context switches,
#     minor page faults, and on which CPU the thread last ran
#   - with PERF=1, `perf sched record -C PROXY_CPU`: who ran on the proxy's core, and each time the event loop
#     (or nginx's worker) was preempted, for how long and by whom
#
#   bench/tail-counts.sh                                  WARMUP=60 DURATION=10, launcher's flags
#   EXTRA_JAVA_OPTS='-XX:GuaranteedSafepointInterval=0' bench/tail-counts.sh    flags added to the launcher's
# Settings: WARMUP (60), DURATION (10), SIZE (small), CONNECTIONS (50), PERF (1), PROXY_CPU (1), LOAD_CPU (0),
# BASE_PORT (29000), NICE (0), EXTRA_JAVA_OPTS (added after the launcher's proxy flags,
# via EDGEWAY_EXTRA_JAVA_OPTS), OUT (bench/results/tail-counts-<time>.txt).
set -euo pipefail

WARMUP=${WARMUP:-60}
DURATION=${DURATION:-10}
SIZE=${SIZE:-small}
CONNECTIONS=${CONNECTIONS:-50}
PERF=${PERF:-1}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BASE_PORT=${BASE_PORT:-29000}
NICE=${NICE:-0}
EXTRA_JAVA_OPTS=${EXTRA_JAVA_OPTS:-}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDGEWAY_CMD=$repo/edgeway
stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$repo/bench/results/tail-counts-$stamp.txt}
backend_port=$BASE_PORT nginx_port=$((BASE_PORT + 1)) ew_port=$((BASE_PORT + 3))
ew_status=$((BASE_PORT + 103)) cp_admin=$((BASE_PORT + 110)) cp_grpc=$((BASE_PORT + 111))

log() { printf '[tail %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_positive DURATION
need_nice
need_two_cpus
need_tools "apt-get install nginx wrk util-linux curl python3" nginx wrk taskset curl python3
[[ $PERF == 0 ]] || need_tools "apt-get install linux-perf" perf

new_run_dir tail
install_cleanup
ports_free "$backend_port" "$nginx_port" "$ew_port" "$ew_status" "$cp_admin" "$cp_grpc"

# shellcheck source=nginx-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx-common.sh"
make_www
{ nginx_common "$tmp/backend"; printf '  sendfile on;\n  server { listen 127.0.0.1:%s backlog=4096; root %s; }\n}\n' "$backend_port" "$tmp/www"; } >"$tmp/backend/nginx.conf"
{
  nginx_common "$tmp/nginx"
  printf '  upstream backend { server 127.0.0.1:%s; keepalive 64; }\n' "$backend_port"
  printf '  server { listen 127.0.0.1:%s backlog=4096;\n' "$nginx_port"
  printf '    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n'
} >"$tmp/nginx/nginx.conf"
start_nginx backend "$tmp/backend" "$LOAD_CPU" "$backend_port"
start_nginx nginx "$tmp/nginx" "$PROXY_CPU" "$nginx_port"
nginx_worker=${nginx_pids#* }

log "control plane on CPU $LOAD_CPU"
start_control_plane die
api /api/v1/upstreams "{\"name\":\"bench\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":$backend_port}]}"
api /api/v1/routes '{"name":"bench","paths":["/"],"upstream":"bench"}'

jvm_log=$tmp/jvm.log
log "edgeway proxy on CPU $PROXY_CPU; extra JVM flags: ${EXTRA_JAVA_OPTS:-none}"
(cd "$repo" && exec env EDGEWAY_EXTRA_JAVA_OPTS="$EXTRA_JAVA_OPTS -Xlog:safepoint=info,gc=info,jit+compilation=debug:file=$jvm_log:uptime" \
  EDGEWAY_WORKERS=1 EDGEWAY_PROXY_PORT="$ew_port" EDGEWAY_TLS_PORT=0 EDGEWAY_STATUS_PORT="$ew_status" \
  EDGEWAY_DATA_DIR="$tmp/dp" EDGEWAY_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
  nice -n "$NICE" taskset -c "$PROXY_CPU" "$EDGEWAY_CMD" dataplane --control-plane "127.0.0.1:$cp_grpc") >"$tmp/edgeway.log" 2>&1 &
ew_pid=$!
track "$ew_pid" edgeway
wait_until 120 "$ew_pid" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$ew_status/readyz" || die "edgeway never ready: $(tail -20 "$tmp/edgeway.log")"
wait_until 20 "$ew_pid" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$ew_port/$SIZE" || die "edgeway does not proxy /$SIZE"
[[ $(cat "/proc/$ew_pid/comm") == java ]] || die "pid $ew_pid is not the JVM"
log "edgeway JVM flags: $(tr '\0' ' ' <"/proc/$ew_pid/cmdline" | cut -c1-400)"

load() { # PORT SECONDS OUT
  timeout $(( $2 + 30 )) nice -n "$NICE" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$2"s --latency \
    -s "$repo/bench/wrk-tail.lua" "http://127.0.0.1:$1/$SIZE" >"$3" 2>&1 || die "wrk on $1 failed: $(tail -3 "$3")"
}
for (( s = 0; s < WARMUP; s += 10 )); do log "warm-up $((s + 10))/${WARMUP}s"; load "$ew_port" 10 "$tmp/warm.txt"; done
load "$nginx_port" 2 "$tmp/warm-nginx.txt"

# threads PID: one line per thread: tid comm(no spaces) cpu_ticks run_ns wait_ns slices vol invol minflt last_cpu
threads() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" 'FILENAME ~ /schedstat$/ {run = $1; wait = $2; sl = $3; next}
      FILENAME ~ /status$/ { if ($1 == "voluntary_ctxt_switches:") vol = $2; if ($1 == "nonvoluntary_ctxt_switches:") inv = $2; next }
      { line = $0; c = line; sub(/^[^(]*\(/, "", c); sub(/\).*/, "", c); gsub(/ /, "_", c)
        sub(/.*\) /, "", line); split(line, f, " "); minflt = f[8]; cpu = f[12] + f[13]; last = f[37] }
      END { print tid, c, cpu, run, wait, sl, vol, inv, minflt, last }' "$t/stat" "$t/schedstat" "$t/status" 2>/dev/null || true
  done
}

# window NAME PORT PID: one counted run with everything recorded around it
window() {
  local name=$1 p=$2 pid=$3 perf_pid=""
  threads "$pid" >"$tmp/$name.before"
  [[ $name == edgeway ]] && wc -l <"$jvm_log" >"$tmp/$name.log-from"
  if [[ $PERF != 0 ]]; then
    perf sched record -C "$PROXY_CPU" -o "$tmp/$name.perf" -- sleep $(( DURATION + 1 )) >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5
  fi
  load "$p" "$DURATION" "$tmp/$name.wrk"
  threads "$pid" >"$tmp/$name.after"
  rss_now "$pid" >"$tmp/$name.rss"
  [[ $name == edgeway ]] && wc -l <"$jvm_log" >"$tmp/$name.log-to"
  if [[ -n $perf_pid ]]; then
    wait "$perf_pid" || true
    perf sched timehist --state -i "$tmp/$name.perf" 2>/dev/null >"$tmp/$name.timehist" || true
  fi
}
log "counted window: edgeway ${DURATION}s"
window edgeway "$ew_port" "$ew_pid"
log "counted window: nginx ${DURATION}s"
window nginx "$nginx_port" "$nginx_worker"

from=$(<"$tmp/edgeway.log-from") to=$(<"$tmp/edgeway.log-to")
sed -n "$((from + 1)),${to}p" "$jvm_log" >"$tmp/edgeway.jvm-window"
mkdir -p "$(dirname "$OUT")"
{
  echo "# tail-counts $stamp: WARMUP=$WARMUP DURATION=$DURATION SIZE=$SIZE CONNECTIONS=$CONNECTIONS, proxy CPU $PROXY_CPU"
  echo "# edgeway extra flags: ${EXTRA_JAVA_OPTS:-none}; load avg $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$repo/bench/tail-counts.py" "$tmp" "$PROXY_CPU"
} | tee "$OUT"
cp "$tmp/edgeway.jvm-window" "${OUT%.txt}.jvm-window.log"
log "written to $OUT (and the JVM log lines of the window: ${OUT%.txt}.jvm-window.log)"
