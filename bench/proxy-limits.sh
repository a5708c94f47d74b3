#!/usr/bin/env bash
# Edgeway proxy limits on this machine, on loopback: the speed goals that a req/s comparison does not show.
#
#   bench/proxy-limits.sh                        all four parts, about 10 minutes
#   PARTS=routes,startup bench/proxy-limits.sh   some parts only (routes, stream, idle, startup)
#   EDGEWAY_HOME=/tmp/ew-copy bench/proxy-limits.sh   jars from a copy (*/target/{*.jar,lib}) instead of this checkout
#
# 1. routes  — 1 route vs 10,000 routes (distinct hosts h{i}.example.com + prefixes /p{i}/) vs 10,000 routes
#              without hosts (prefixes only); the request matches the last route added. One proxy (1 event
#              loop) alone on PROXY_CPU; wrk -t1 -cCONNECTIONS and the nginx backend on LOAD_CPU. The config is
#              switched through POST /api/v1/config between runs; variants interleave and rotate every round.
#              Goal: req/s and CPU-µs/request within 5 % of 1 route.
# 2. stream  — STREAM_MB up (Content-Length and chunked) to a backend that discards it, and down from nginx
#              serving a sparse file; the proxy's VmRSS every 100 ms. Goal: peak within 64 MiB of idle. Then
#              a slow reader (curl --limit-rate) on a large response: RSS stays flat and the backend is held
#              back (bytes it got out, from ss, vs bytes the client read; the same reader direct to nginx shows
#              what kernel socket buffers alone hold).
# 3. idle    — IDLE_CONNS keep-alive connections, one request each, then idle; IDLE_ROUNDS fresh proxies. RSS
#              after them idle (the goal: ≤ 40 MiB more) and again after 3 s of traffic beside them; jcmd heap
#              figures and full GCs to say how much of it is live per connection.
# 4. startup — launching the proxy (control plane up, config present, fresh data dir) to the first proxied 200,
#              polled every 10 ms; STARTUP_RUNS runs, median; again with an AppCDS archive. Goal: ≤ 1.5 s.
#
# The proxy JVM gets the launcher's flags (EDGEWAY_JAVA_OPTS, default as the launcher's for one event loop on JDK 17, below). Parts 2-4 start a
# fresh proxy each, so one part's heap history does not hide or inflate the next one's memory.
# See bench/README.md ("Proxy limits") for how to read the output.
set -euo pipefail

PARTS=${PARTS:-routes,stream,idle,startup}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
WARMUP=${WARMUP:-10}             # s of uncounted load before the first route-scale round (JIT)
SWITCH_WARMUP=${SWITCH_WARMUP:-3} # s of uncounted load after every config switch
ROUTES=${ROUTES:-10000}
STREAM_MB=${STREAM_MB:-1024}
STREAM_ROUNDS=${STREAM_ROUNDS:-2}
SLOW_RATE=${SLOW_RATE:-1M}
SLOW_SECONDS=${SLOW_SECONDS:-10}
IDLE_CONNS=${IDLE_CONNS:-10000}
IDLE_ROUNDS=${IDLE_ROUNDS:-3}
STARTUP_RUNS=${STARTUP_RUNS:-5}
APPCDS=${APPCDS:-1}
STARTUP_CPUS=${STARTUP_CPUS:-all} # "all": the proxy gets the whole machine while starting, as on a real node
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BASE_PORT=${BASE_PORT:-18280}    # proxy-bench.sh uses 18080..; both can run (not at the same time: CPUs)
NICE=${NICE:-0}
JAVA_OPTS=${EDGEWAY_JAVA_OPTS:-"-XX:+UseParallelGC"}
# The proxy gets what the launcher gives a proxy with one event loop (see ./edgeway: young generation 32 MiB per loop).
DP_JAVA_OPTS=${EDGEWAY_JAVA_OPTS:-"-XX:+UseParallelGC -Xmn32m -XX:-UseAdaptiveSizePolicy -XX:SurvivorRatio=6 -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:PerfDataSamplingInterval=1000"}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDGEWAY_HOME=${EDGEWAY_HOME:-$repo}
tool=$repo/bench/proxy-limits-tool.py
results_dir=$repo/bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)

backend_port=$BASE_PORT
sink_port=$((BASE_PORT + 1))
proxy_port=$((BASE_PORT + 3))
status_port=$((BASE_PORT + 103))
cp_admin=$((BASE_PORT + 110))
cp_grpc=$((BASE_PORT + 111))
stream_bytes=$((STREAM_MB * 1024 * 1024))
last=$((ROUTES - 1))
target_host=h$last.example.com
target_path=/p$last/small

log() { printf '[limits %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
part() { [[ ",$PARTS," == *",$1,"* ]]; }

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_positive ROUNDS DURATION CONNECTIONS ROUTES STREAM_MB STREAM_ROUNDS SLOW_SECONDS IDLE_CONNS IDLE_ROUNDS STARTUP_RUNS
[[ $WARMUP =~ ^[0-9]+$ && $SWITCH_WARMUP =~ ^[0-9]+$ ]] || die "WARMUP/SWITCH_WARMUP: seconds"
need_nice
need_two_cpus
need_tools "proxy-bench.sh installs nginx, wrk, curl, util-linux; ss is iproute2" nginx wrk curl taskset python3 java ss

# --- Edgeway jars: copied into the run directory, so a rebuild during the run cannot change them ----------
find_jars "$EDGEWAY_HOME"
[[ -n $cp_jar && -n $dp_jar && -d $EDGEWAY_HOME/control-plane/target/lib && -d $EDGEWAY_HOME/proxy-dataplane/target/lib ]] \
  || die "no built jars under $EDGEWAY_HOME (expected */target/*.jar and */target/lib; ./edgeway build, or EDGEWAY_HOME=a copy)"
if [[ -f $EDGEWAY_HOME/pom.xml ]] && [[ -n $(find "$EDGEWAY_HOME" -path '*/target' -prune -o \( -name '*.java' -o -name pom.xml \
    -o -name '*.proto' -o -path '*/resources/*' \) -newer "$dp_jar" -print -quit) ]]; then
  log "WARNING: sources under $EDGEWAY_HOME are newer than $dp_jar: measuring the jars as built"
fi

new_run_dir limits
ew=$tmp/edgeway
copy_jars "$EDGEWAY_HOME" "$ew"
jar_info="$(basename "$dp_jar") built $(date -u -r "$EDGEWAY_HOME/proxy-dataplane/target/$(basename "$dp_jar")" +%FT%TZ)"
[[ -d $EDGEWAY_HOME/.git ]] && jar_info+=", checkout at $(git -C "$EDGEWAY_HOME" rev-parse --short HEAD 2>/dev/null)"
[[ -f $EDGEWAY_HOME/COMMIT ]] && jar_info+=", copy of $(cat "$EDGEWAY_HOME/COMMIT")"
install_cleanup

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
clk_tck=$(getconf CLK_TCK)
# run_bg NAME SECONDS CMD...: a bounded foreground command that the EXIT trap can still stop
run_bg() {
  local name=$1 secs=$2 pid rc=0
  shift 2
  timeout "$secs" "$@" &
  pid=$!
  track "$pid" "$name"
  wait "$pid" || rc=$?
  return "$rc"
}

ports_free "$backend_port" "$sink_port" "$proxy_port" "$status_port" "$cp_admin" "$cp_grpc"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if part idle && (( $(ulimit -n) < IDLE_CONNS + 1000 )); then
  die "open files limit $(ulimit -n) is too low for IDLE_CONNS=$IDLE_CONNS (raise the hard limit, or lower IDLE_CONNS)"
fi

results=$tmp/results.txt # "key value" lines, summarized at the end
: >"$results"
put() { echo "$1 $2" >>"$results"; }
load_start=$(loadavg)
put load_start "${load_start// //}"

# --- backends: nginx (files) and a discarding sink, both on LOAD_CPU ---------------------------------------
mkdir -p "$tmp/www" "$tmp/backend"
head -c 100 /dev/zero | tr '\0' a >"$tmp/www/small"
truncate -s "$stream_bytes" "$tmp/www/big"   # sparse: costs no disk
truncate -s $((64 * 1024 * 1024)) "$tmp/www/warm"
chmod 755 "$tmp/www" && chmod 644 "$tmp/www/"*
cat >"$tmp/backend/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $tmp/backend/nginx.pid;
error_log $tmp/backend/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  log_format sent '\$request_uri \$status \$body_bytes_sent \$request_time';
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  client_body_temp_path $tmp/backend/body;
  proxy_temp_path $tmp/backend/proxy;
  fastcgi_temp_path $tmp/backend/fastcgi;
  uwsgi_temp_path $tmp/backend/uwsgi;
  scgi_temp_path $tmp/backend/scgi;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=16;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$backend_port backlog=4096;
    root $tmp/www;
    location /p { try_files /small =404; }
    location /big { access_log $tmp/backend/big.log sent; }
  }
}
EOF
nice -n "$NICE" taskset -c "$LOAD_CPU" nginx -p "$tmp/backend" -c "$tmp/backend/nginx.conf" -e "$tmp/backend/error.log" \
  >"$tmp/backend/stdout.log" 2>&1 &
backend_pid=$!
track "$backend_pid" backend
wait_until 10 "$backend_pid" port_busy "$backend_port" || die "backend nginx did not start: $(tail -5 "$tmp/backend/error.log")"
for w in $(pgrep -P "$backend_pid"); do track "$w" backend-worker; done
nice -n "$NICE" taskset -c "$LOAD_CPU" python3 "$tool" sink "$sink_port" >"$tmp/sink.log" 2>&1 &
sink_pid=$!
track "$sink_pid" sink
wait_until 10 "$sink_pid" port_busy "$sink_port" || die "sink did not start: $(tail -5 "$tmp/sink.log")"
log "backend nginx :$backend_port and sink :$sink_port on CPU $LOAD_CPU"

# --- control plane (LOAD_CPU) and config documents ---------------------------------------------------------
admin_token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
auth="Authorization: Bearer $admin_token"
log "control plane on CPU $LOAD_CPU (admin $cp_admin, grpc $cp_grpc); first start initialises PostgreSQL"
# shellcheck disable=SC2086 # JVM options are split into words on purpose
env EDGEWAY_DATA_DIR="$tmp/cp" EDGEWAY_ADMIN_PORT=$cp_admin EDGEWAY_GRPC_PORT=$cp_grpc EDGEWAY_ADMIN_TOKEN="$admin_token" \
  EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
  nice -n "$NICE" taskset -c "$LOAD_CPU" java $JAVA_OPTS -jar "$cp_jar" >"$tmp/control-plane.log" 2>&1 &
cp_pid=$!
track "$cp_pid" control-plane
wait_until 180 "$cp_pid" grep -q 'edgeway control-plane ready' "$tmp/control-plane.log" \
  || die "control plane not ready: $(tail -20 "$tmp/control-plane.log")"
grep -m1 'edgeway control-plane ready' "$tmp/control-plane.log" >&2

python3 - "$tmp" "$ROUTES" "$backend_port" "$sink_port" <<'PY'
import json, sys
tmp, n, backend, sink = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ups = [{"name": "bench", "targets": [{"host": "127.0.0.1", "port": backend}]}]
route = lambda i, hosts=True: dict(name=f"r{i}", **({"hosts": [f"h{i}.example.com"]} if hosts else {}),
                                   paths=[f"/p{i}/"], upstream="bench")
docs = {
    "1": {"upstreams": ups, "routes": [route(n - 1)]},
    "10k": {"upstreams": ups, "routes": [route(i) for i in range(n)]},
    "10k-paths": {"upstreams": ups, "routes": [route(i, hosts=False) for i in range(n)]},
    "stream": {"upstreams": ups + [{"name": "sink", "targets": [{"host": "127.0.0.1", "port": sink}]}],
               "routes": [{"name": "sink", "paths": ["/sink"], "upstream": "sink"},
                          {"name": "files", "paths": ["/"], "upstream": "bench"}]},
}
for k, d in docs.items():
    json.dump(d, open(f"{tmp}/config-{k}.json", "w"), separators=(",", ":"))
PY

proxy_pid=""
applied=0
current_config=""
# apply_config NAME: POST the whole document; with a proxy running, wait until it has applied that revision
apply_config() {
  local code t0 previous=$applied
  t0=$(date +%s%N)
  code=$(curl -s -m 300 -o "$tmp/apply.json" -w '%{http_code}' -XPOST "http://127.0.0.1:$cp_admin/api/v1/config" \
    -H "$auth" -H 'content-type: application/json' --data-binary "@$tmp/config-$1.json") || true
  [[ $code == 2* ]] || die "POST /api/v1/config ($1, $(stat -c %s "$tmp/config-$1.json") bytes) -> $code: $(head -c 600 "$tmp/apply.json")"
  applied=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["revision"])' "$tmp/apply.json")
  current_config=$1
  [[ -n $proxy_pid ]] && wait_proxy_version
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [[ -n $proxy_pid && $applied != "$previous" ]] && put "switch_$1" "$ms" # not a no-op re-apply
  log "config $1 applied: revision $applied in $ms ms (POST + push + apply)"
}
ensure_config() { [[ $current_config == "$1" ]] || apply_config "$1"; }
proxy_version() {
  curl -s -m 2 "http://127.0.0.1:$status_port/metrics" | awk '$1 == "edgeway_config_version" {print int($2)}'
}
wait_proxy_version() {
  local deadline=$(( $(date +%s) + 180 )) v
  while (( $(date +%s) < deadline )); do
    v=$(proxy_version || true)
    [[ -n $v ]] && (( v >= applied )) && return 0
    kill -0 "$proxy_pid" 2>/dev/null || die "the proxy died: $(tail -20 "$tmp/dp-$proxy_name.log")"
    sleep 0.2
  done
  die "the proxy did not apply revision $applied within 180 s (it has ${v:-none}): $(tail -20 "$tmp/dp-$proxy_name.log")"
}

# start_proxy NAME [VAR=VALUE...]: a fresh proxy (new data dir, 1 event loop) alone on PROXY_CPU
start_proxy() {
  proxy_name=$1
  shift
  rm -rf "$tmp/dp-$proxy_name"
  # shellcheck disable=SC2086 # JVM options are split into words on purpose
  env EDGEWAY_WORKERS=1 EDGEWAY_PROXY_PORT=$proxy_port EDGEWAY_TLS_PORT=0 EDGEWAY_STATUS_PORT=$status_port EDGEWAY_DATA_DIR="$tmp/dp-$proxy_name" \
    EDGEWAY_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" EDGEWAY_DRAIN_DELAY=0ms "$@" nice -n "$NICE" taskset -c "$PROXY_CPU" java $DP_JAVA_OPTS -jar "$dp_jar" \
    --control-plane "127.0.0.1:$cp_grpc" >"$tmp/dp-$proxy_name.log" 2>&1 &
  proxy_pid=$!
  track "$proxy_pid" "proxy-$proxy_name"
  wait_until 120 "$proxy_pid" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$status_port/readyz" \
    || die "proxy $proxy_name never became ready: $(tail -20 "$tmp/dp-$proxy_name.log")"
  [[ $(cat "/proc/$proxy_pid/comm") == java ]] || die "pid $proxy_pid is not the JVM"
  wait_proxy_version
  log "proxy $proxy_name pid $proxy_pid on CPU $PROXY_CPU: $(grep -m1 'edgeway dataplane listening' "$tmp/dp-$proxy_name.log")"
}
stop_proxy() {
  [[ -n $proxy_pid ]] || return 0
  kill -TERM "$proxy_pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + 30 ))
  while kill -0 "$proxy_pid" 2>/dev/null && (( $(date +%s) < deadline )); do sleep 0.1; done
  kill -KILL "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=""
}
# check URL FILE [curl args]: 200 and the exact bytes of FILE
check() {
  local url=$1 file=$2 code
  shift 2
  code=$(curl -s -m 5 -o "$tmp/check" -w '%{http_code}' "$@" "$url") || true
  # shellcheck disable=SC2015 # die when either fails
  [[ $code == 200 ]] && cmp -s "$tmp/check" "$file" || die "GET $url $*: HTTP $code, $(stat -c %s "$tmp/check" 2>/dev/null) bytes (expected 200 and $file)"
}
wrk_run() { # SECONDS OUT: wrk on LOAD_CPU against the target route
  run_bg wrk $(( $1 + 30 )) nice -n "$NICE" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$1"s --latency \
    -H "Host: $target_host" "http://127.0.0.1:$proxy_port$target_path" >"$2" 2>&1 || die "wrk failed: $(tail -5 "$2")"
}

# --- 1. route table scale ----------------------------------------------------------------------------------
if part routes; then
  log "== routes: 1 vs $ROUTES routes, $ROUNDS interleaved rounds of ${DURATION}s"
  put routes_load_start "$(loadavg | tr ' ' /)"
  apply_config 1
  start_proxy routes
  check "http://127.0.0.1:$proxy_port$target_path" "$tmp/www/small" -H "Host: $target_host"
  (( WARMUP > 0 )) && { log "warm-up ${WARMUP}s (not counted)"; wrk_run "$WARMUP" "$tmp/wrk-warmup.txt"; }
  csv=$tmp/routes.csv
  echo "round,variant,requests,seconds,rps,p50_us,p99_us,proxy_ticks,busy_ticks,errors,rss_kib" >"$csv"
  variants=(1 10k 10k-paths)
  for round in $(seq 1 "$ROUNDS"); do
    for i in 0 1 2; do
      v=${variants[$(( (i + round - 1) % 3 ))]}
      apply_config "$v"
      check "http://127.0.0.1:$proxy_port$target_path" "$tmp/www/small" -H "Host: $target_host"
      if [[ $v == 1 ]]; then # the other routes really are gone, and really there in the 10k variants
        code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Host: h0.example.com' "http://127.0.0.1:$proxy_port/p0/small") || true
        [[ $code == 404 ]] || die "1 route: /p0/ answered $code (expected 404)"
      else
        check "http://127.0.0.1:$proxy_port/p0/small" "$tmp/www/small" -H 'Host: h0.example.com'
      fi
      (( SWITCH_WARMUP > 0 )) && wrk_run "$SWITCH_WARMUP" "$tmp/wrk-switch.txt"
      out=$tmp/wrk-$round-$v.txt
      b0=$(cpu_busy "$PROXY_CPU"); t0=$(cpu_ticks "$proxy_pid")
      wrk_run "$DURATION" "$out"
      t1=$(cpu_ticks "$proxy_pid"); b1=$(cpu_busy "$PROXY_CPU")
      read -r reqs secs < <(awk '/requests in/ {gsub(/s,$/, "", $4); print $1, $4}' "$out")
      rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
      lat() { awk -v q="$1" '$1 == q {v = $2; n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        printf "%.1f", n * (u == "us" ? 1 : u == "ms" ? 1000 : 1000000)}' "$out"; }
      errs=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {split($0, a, /[ ,]+/); n += a[5] + a[7] + a[9] + a[11]} END {print n + 0}' "$out")
      echo "$round,$v,$reqs,$secs,$rps,$(lat 50%),$(lat 99%),$((t1 - t0)),$((b1 - b0)),$errs,$(rss_now "$proxy_pid")" >>"$csv"
      log "round $round, $v routes: $rps req/s, $(awk -v d=$((t1 - t0)) -v hz="$clk_tck" -v n="$reqs" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}') CPU-us/req, p99 $(lat 99%)us"
    done
  done
  put routes_load_end "$(loadavg | tr ' ' /)"
  stop_proxy
fi

# --- 2. streaming memory -----------------------------------------------------------------------------------
sample_start() { # OUT: VmRSS of the proxy every 100 ms in the background
  python3 "$tool" rss "$proxy_pid" "$1" 900 &
  sampler_pid=$!
  track "$sampler_pid" rss-sampler
  sleep 0.15
}
sample_stop() { # OUT -> prints the peak KiB
  kill -TERM "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  awk '$2 > m {m = $2} END {print m + 0}' "$1"
}
# transfer KIND FILE: one transfer through the proxy, curl on LOAD_CPU. up-*: FILE's bytes to the sink
# (Content-Length from the file, or chunked from a pipe); down: the nginx file named FILE. Sets tr_code,
# tr_bytes (down: received), tr_secs, and the sink's answer in $tmp/transfer.out.
transfer() {
  local kind=$1 file=$2 w='%{http_code} %{size_download} %{time_total}\n' rc=0
  : >"$tmp/transfer.out"
  # shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
  case $kind in
    up-cl) run_bg curl 900 taskset -c "$LOAD_CPU" curl -sS -m 600 -H 'Expect:' -T "$file" -o "$tmp/transfer.out" -w "$w" \
             "http://127.0.0.1:$proxy_port/sink" >"$tmp/transfer.w" || rc=$? ;;
    up-chunked) run_bg curl 900 bash -c 'head -c "$1" /dev/zero | taskset -c "$2" curl -sS -m 600 -H "Expect:" -T - -o "$3" -w "$4" "$5"' _ \
             "$(stat -c %s "$file")" "$LOAD_CPU" "$tmp/transfer.out" "$w" "http://127.0.0.1:$proxy_port/sink" >"$tmp/transfer.w" || rc=$? ;;
    down)  run_bg curl 900 taskset -c "$LOAD_CPU" curl -sS -m 600 -o /dev/null -w "$w" "http://127.0.0.1:$proxy_port/$file" \
             >"$tmp/transfer.w" || rc=$? ;;
  esac
  (( rc == 0 )) || die "$kind transfer of $file: curl exit $rc ($(cat "$tmp/transfer.w"))"
  read -r tr_code tr_bytes tr_secs <"$tmp/transfer.w"
  [[ $tr_code == 200 ]] || die "$kind transfer of $file: HTTP $tr_code"
}

if part stream; then
  log "== stream: ${STREAM_MB} MiB up and down, $STREAM_ROUNDS rounds; slow reader at $SLOW_RATE/s for ${SLOW_SECONDS}s"
  put stream_load_start "$(loadavg | tr ' ' /)"
  ensure_config stream
  start_proxy stream
  check "http://127.0.0.1:$proxy_port/small" "$tmp/www/small"
  # Warm-up: JIT and class loading of the relay paths are paid here, not counted as streaming memory.
  log "warm-up: 3 s of small requests, 64 MiB up and down twice each"
  run_bg wrk 40 taskset -c "$LOAD_CPU" wrk -t1 -c10 -d3s "http://127.0.0.1:$proxy_port/small" >"$tmp/wrk-stream-warm.txt" 2>&1
  for _ in 1 2; do
    for k in up-cl up-chunked; do transfer "$k" "$tmp/www/warm"; done
    transfer down warm
  done
  sleep 2
  put stream_idle_start_kib "$(idle_rss "$proxy_pid")"
  for round in $(seq 1 "$STREAM_ROUNDS"); do
    for kind in up-cl up-chunked down; do
      idle=$(idle_rss "$proxy_pid")
      t0=$(cpu_ticks "$proxy_pid")
      sample_start "$tmp/rss-$kind-$round.txt"
      if [[ $kind == down ]]; then transfer down big; else transfer "$kind" "$tmp/www/big"; fi
      peak=$(sample_stop "$tmp/rss-$kind-$round.txt")
      t1=$(cpu_ticks "$proxy_pid")
      secs=$tr_secs
      if [[ $kind == down ]]; then
        [[ ${tr_bytes%.*} == "$stream_bytes" ]] || die "down: received $tr_bytes bytes (expected $stream_bytes)"
      else
        [[ $(cat "$tmp/transfer.out") == "received $stream_bytes" ]] || die "$kind: the sink says '$(cat "$tmp/transfer.out")' (expected received $stream_bytes)"
      fi
      samples=$(wc -l <"$tmp/rss-$kind-$round.txt")
      put "stream $kind $round" "$idle $peak $secs $((t1 - t0)) $samples"
      log "$kind round $round: idle $((idle / 1024)) MiB, peak $((peak / 1024)) MiB (+$(( (peak - idle) / 1024 )) MiB), ${secs}s, $samples samples"
    done
  done

  # Slow reader: through the proxy, then straight to nginx (what the kernel's socket buffers alone hold).
  for via in proxy direct; do
    port=$proxy_port
    [[ $via == direct ]] && port=$backend_port
    idle=$(idle_rss "$proxy_pid")
    lines0=$(wc -l <"$tmp/backend/big.log" 2>/dev/null || echo 0)
    python3 "$tool" sockets "$tmp/ss-before.json"
    sample_start "$tmp/rss-slow-$via.txt"
    start_ns=$(date +%s%N)
    taskset -c "$LOAD_CPU" curl -s -m "$SLOW_SECONDS" --limit-rate "$SLOW_RATE" -o /dev/null -w '%{size_download}' \
      "http://127.0.0.1:$port/big" >"$tmp/slow-$via.txt" 2>/dev/null &
    slow_pid=$!
    track "$slow_pid" slow-reader
    # Two looks at the sockets: if the backend is held back, what it got out stops growing once the buffers
    # along the way are full.
    sleep $(( SLOW_SECONDS / 2 ))
    python3 "$tool" sockets "$tmp/ss-mid.json"
    sleep $(( SLOW_SECONDS - 1 - SLOW_SECONDS / 2 ))
    python3 "$tool" sockets "$tmp/ss-late.json"
    rss_late=$(rss_now "$proxy_pid")
    read -r acked_mid _ < <(python3 "$tool" backlog "$tmp/ss-before.json" "$tmp/ss-mid.json" "$backend_port" "$port")
    read -r acked got_late unread unacked < <(python3 "$tool" backlog "$tmp/ss-before.json" "$tmp/ss-late.json" "$backend_port" "$port")
    wait "$slow_pid" || true # exit 28: the time limit is how it stops
    wall=$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
    peak=$(sample_stop "$tmp/rss-slow-$via.txt")
    got=$(cat "$tmp/slow-$via.txt")
    # nginx logs the request when it ends: soon after the client left, if the proxy closes the upstream side.
    logged="-"
    for _ in $(seq 1 50); do
      if (( $(wc -l <"$tmp/backend/big.log" 2>/dev/null || echo 0) > lines0 )); then
        logged=$(tail -1 "$tmp/backend/big.log" | awk '{print $3 "/" $4}')
        break
      fi
      sleep 0.1
    done
    put "slow $via" "$idle $peak $rss_late ${got%.*} $acked_mid $acked $got_late $unread $unacked $wall $logged"
    log "slow reader $via: client got ${got%.*} B in ${wall}s; at $((SLOW_SECONDS / 2))/$((SLOW_SECONDS - 1)) s the backend had sent $acked_mid/$acked B, the client socket received $got_late B, proxy kernel queues $unread + $unacked B; nginx log bytes/time $logged; proxy RSS idle $((idle / 1024)) peak $((peak / 1024)) MiB"
  done
  put stream_load_end "$(loadavg | tr ' ' /)"
  stop_proxy
fi

# --- 3. idle connections -----------------------------------------------------------------------------------
if part idle; then
  log "== idle: $IDLE_CONNS keep-alive connections, $IDLE_ROUNDS rounds (a fresh proxy each)"
  put idle_load_start "$(loadavg | tr ' ' /)"
  ensure_config stream
  # heap.sh PID prints "committed used" (KiB, all generations): it only explains the RSS figures.
  cat >"$tmp/heap.sh" <<'HEAP'
timeout 60 jcmd "$1" GC.heap_info 2>/dev/null | awk 'match($0, /total [0-9]+K, used [0-9]+K/) {
  split(substr($0, RSTART, RLENGTH), f, /[ K,]+/); t += f[2]; u += f[4]} END {print t + 0, u + 0}'
HEAP
  load_cmd="taskset -c $LOAD_CPU wrk -t1 -c$CONNECTIONS -d3s http://127.0.0.1:$proxy_port/small"
  for round in $(seq 1 "$IDLE_ROUNDS"); do
    # The proxy's default keep-alive timeout (60 s) would close them during the measurement.
    start_proxy "idle-$round" EDGEWAY_KEEPALIVE_TIMEOUT=30m
    check "http://127.0.0.1:$proxy_port/small" "$tmp/www/small"
    # Baseline after 3 s of wrk; the connections are measured idle, and then once more after the same 3 s of
    # wrk next to them: young collections promote what they keep alive and may resize the heap, as on a proxy
    # that serves traffic beside its idle connections. jcmd attaches before the baseline (its thread counts
    # in every figure).
    # shellcheck disable=SC2086 # a command line held in one string
    run_bg wrk 40 $load_cmd >"$tmp/wrk-idle-warm.txt" 2>&1
    heap_before=$(bash "$tmp/heap.sh" "$proxy_pid")
    sleep 2
    # Run by the tool while the connections are still open: heap in use, then a full GC (what of it is live).
    cat >"$tmp/idle-hook.sh" <<HOOK
echo "heap_open \$(bash $tmp/heap.sh $proxy_pid)"
timeout 60 jcmd $proxy_pid GC.run >/dev/null 2>&1
sleep 2
echo "heap_gc \$(bash $tmp/heap.sh $proxy_pid)"
echo "rss_gc \$(awk '/^VmRSS:/ {print \$2}' /proc/$proxy_pid/status)"
HOOK
    run_bg idle 600 nice -n "$NICE" taskset -c "$LOAD_CPU" python3 "$tool" idle --pid "$proxy_pid" --port "$proxy_port" \
      --conns "$IDLE_CONNS" --settle 5 --metrics-url "http://127.0.0.1:$status_port/metrics" \
      --between "$load_cmd >$tmp/wrk-idle-between.txt 2>&1" \
      --hook "bash $tmp/idle-hook.sh" --hook-out "$tmp/idle-hook.txt" >"$tmp/idle.json" \
      || die "idle connections failed: $(tail -5 "$tmp/idle.json")"
    # The tool has closed them: a full GC now leaves the live heap without them; the difference to the full
    # GC above is what the idle connections keep alive on the heap.
    sleep 3
    timeout 60 jcmd "$proxy_pid" GC.run >/dev/null 2>&1 || true
    sleep 2
    {
      echo "heap_before $heap_before"
      cat "$tmp/idle-hook.txt"
      echo "heap_closed_gc $(bash "$tmp/heap.sh" "$proxy_pid")"
      echo "rss_closed_gc $(rss_now "$proxy_pid")"
      echo "fd_limit $(awk '/Max open files/ {print $4}' "/proc/$proxy_pid/limits")"
    } >"$tmp/idle-extra.txt"
    put "idle $round" "$(python3 - "$tmp/idle.json" "$tmp/idle-extra.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for line in open(sys.argv[2]):
    k, *v = line.split()
    d[k] = [int(x) for x in v] if len(v) > 1 else int(v[0]) if v else None
print(json.dumps(d, separators=(",", ":")).replace(" ", ""))
PY
)"
    log "idle round $round: $(cat "$tmp/idle.json")"
    stop_proxy
  done
  put idle_load_end "$(loadavg | tr ' ' /)"
fi

# --- 4. startup --------------------------------------------------------------------------------------------
if part startup; then
  log "== startup: $STARTUP_RUNS runs$( (( APPCDS )) && echo ' each, plain and with AppCDS, interleaved')"
  put startup_load_start "$(loadavg | tr ' ' /)"
  ensure_config stream
  pin=()
  [[ $STARTUP_CPUS != all ]] && pin=(taskset -c "$STARTUP_CPUS")
  # startup_run LABEL REQUESTS_AFTER [JVM flags...]: one launch, fresh data dir (a new node: no disk cache);
  # the tool's JSON line ends up in $tmp/startup.json
  startup_run() {
    local label=$1 requests_after=$2 dir=$tmp/dp-startup
    shift 2
    rm -rf "$dir"
    # shellcheck disable=SC2086 # JVM options are split into words on purpose
    env EDGEWAY_WORKERS=1 EDGEWAY_PROXY_PORT=$proxy_port EDGEWAY_TLS_PORT=0 EDGEWAY_STATUS_PORT=$status_port EDGEWAY_DATA_DIR="$dir" \
      EDGEWAY_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" EDGEWAY_DRAIN_DELAY=0ms nice -n "$NICE" python3 "$tool" startup --port "$proxy_port" --expect-body "$tmp/www/small" \
      --timeout 60 --log "$tmp/startup-$label.log" --requests-after "$requests_after" -- \
      "${pin[@]}" java "$@" $DP_JAVA_OPTS -jar "$dp_jar" --control-plane "127.0.0.1:$cp_grpc" >"$tmp/startup.json" &
    local pid=$!
    track "$pid" "startup-$label"
    wait "$pid" || die "startup $label: no proxied 200 within 60 s: $(cat "$tmp/startup.json"; tail -20 "$tmp/startup-$label.log")"
  }
  modes=(plain)
  if (( APPCDS )); then
    log "AppCDS training run (-XX:ArchiveClassesAtExit, 200 requests, then SIGTERM)"
    startup_run train 200 "-XX:ArchiveClassesAtExit=$tmp/dp.jsa"
    if [[ -s $tmp/dp.jsa ]]; then
      modes=(plain appcds)
      put startup_jsa_bytes "$(stat -c %s "$tmp/dp.jsa")"
    else
      log "WARNING: no archive was written ($tmp/startup-train.log); AppCDS not measured"
      put startup_jsa_bytes 0
    fi
  fi
  for i in $(seq 1 "$STARTUP_RUNS"); do
    order=("${modes[@]}")
    (( i % 2 == 0 && ${#modes[@]} == 2 )) && order=(appcds plain)
    for m in "${order[@]}"; do
      flags=()
      [[ $m == appcds ]] && flags=("-XX:SharedArchiveFile=$tmp/dp.jsa")
      startup_run "$m" 0 "${flags[@]}"
      put "startup $m $i" "$(tr -d ' ' <"$tmp/startup.json")"
      log "startup $m run $i: $(cat "$tmp/startup.json")"
    done
  done
  put startup_load_end "$(loadavg | tr ' ' /)"
fi

# --- summary -----------------------------------------------------------------------------------------------
mkdir -p "$results_dir"
md=$results_dir/proxy-limits-$stamp.md
[[ -f $tmp/routes.csv ]] && cp "$tmp/routes.csv" "$results_dir/proxy-limits-$stamp-routes.csv"
cp "$results" "$results_dir/proxy-limits-$stamp-raw.txt"
cp_cpu_ms=$(( $(cpu_ticks "$cp_pid") * 1000 / clk_tck ))
{
  echo "## Proxy limits $stamp"
  echo
  echo "- machine: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM; load avg at start $load_start, at end $(loadavg)"
  echo "- Edgeway: $jar_info; JVM flags: proxy \`$DP_JAVA_OPTS\`, control plane \`$JAVA_OPTS\`; $(java -version 2>&1 | head -1); proxy: 1 event loop on CPU $PROXY_CPU, nice $NICE"
  echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //') backend, wrk/curl/python clients on CPU $LOAD_CPU; control plane on CPU $LOAD_CPU used ${cp_cpu_ms} ms CPU in total"
  echo
  python3 - "$results" "$tmp/routes.csv" "$clk_tck" "$ROUTES" "$stream_bytes" "$DURATION" "$ROUNDS" "$CONNECTIONS" \
    "$SLOW_RATE" "$SLOW_SECONDS" "$IDLE_CONNS" "$STARTUP_RUNS" "$STARTUP_CPUS" <<'PY'
import csv, json, os, statistics as st, sys
res_file, routes_csv, hz, nroutes, sbytes, dur, rounds, conns, slow_rate, slow_s, idle_n, sruns, scpus = sys.argv[1:]
hz, nroutes, sbytes = int(hz), int(nroutes), int(sbytes)
# keys: "stream KIND ROUND", "startup MODE RUN", "slow VIA", else one word; the rest are values
res = {}
for line in open(res_file):
    parts = line.split()
    if parts[0] in ("stream", "startup") and len(parts) > 3:
        res[" ".join(parts[:3])] = parts[3:]
    elif parts[0] in ("slow", "idle"):
        res[" ".join(parts[:2])] = parts[2:]
    elif parts[0].startswith("switch_"):
        res.setdefault(parts[0], []).extend(parts[1:])
    else:
        res[parts[0]] = parts[1:]
mib = lambda kib: kib / 1024
goals = []  # (goal, measured, target, met)
load = lambda a, b: f"{' '.join(res[a][0].split('/'))} → {' '.join(res[b][0].split('/'))}" if a in res and b in res else "—"

if os.path.exists(routes_csv):
    rows = list(csv.DictReader(open(routes_csv)))
    print(f"### 1. Route table scale (wrk -t1 -c{conns} -d{dur}s, {rounds} interleaved rounds, medians; load avg {load('routes_load_start', 'routes_load_end')})")
    print()
    print("| routes | req/s | proxy CPU-µs/req | p50 ms | p99 ms | proxy CPU % | other on proxy CPU % | proxy RSS MiB | errors | req/s per round |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    med = {}
    labels = {"1": "1", "10k": f"{nroutes:,} (host + prefix each)", "10k-paths": f"{nroutes:,} (prefix only, no hosts)"}
    for v in ("1", "10k", "10k-paths"):
        rs = [r for r in rows if r["variant"] == v]
        if not rs:
            continue
        cpu = [int(r["proxy_ticks"]) / hz * 1e6 / int(r["requests"]) for r in rs]
        util = [int(r["proxy_ticks"]) / hz / float(r["seconds"]) * 100 for r in rs]
        other = [max(0.0, (int(r["busy_ticks"]) - int(r["proxy_ticks"])) / hz / float(r["seconds"]) * 100) for r in rs]
        m = med[v] = dict(rps=st.median(float(r["rps"]) for r in rs), cpu=st.median(cpu),
                          p50=st.median(float(r["p50_us"]) for r in rs), p99=st.median(float(r["p99_us"]) for r in rs))
        m["other"] = st.median(other)
        print(f"| {labels[v]} | {m['rps']:,.0f} | {m['cpu']:.1f} | {m['p50'] / 1000:.3f} | {m['p99'] / 1000:.3f} | "
              f"{st.median(util):.0f} | {st.median(other):.0f} | {st.median(int(r['rss_kib']) for r in rs) / 1024:.0f} | "
              f"{sum(int(r['errors']) for r in rs)} | {' '.join(format(float(r['rps']), ',.0f') for r in rs)} |")
    # Paired per round: each round ran the variants back to back, so their ratio cancels slow drift.
    print()
    sw = {v: res.get(f"switch_{v}") for v in ("1", "10k", "10k-paths")}
    if any(sw.values()):
        print("- config switch, POST /api/v1/config until the proxy reports the revision (ms, per round): "
              + "; ".join(f"to {labels[v]}: {' '.join(x)}" for v, x in sw.items() if x))
    disturbed = max(m["other"] for m in med.values()) > 10
    for v in ("10k", "10k-paths"):
        if v not in med or "1" not in med:
            continue
        pr = [(float(a["rps"]) / float(b["rps"]), (int(a["proxy_ticks"]) / int(a["requests"])) / (int(b["proxy_ticks"]) / int(b["requests"])))
              for a in rows if a["variant"] == v for b in rows if b["variant"] == "1" and b["round"] == a["round"]]
        drop = (1 - st.median(p[0] for p in pr)) * 100
        cost = (st.median(p[1] for p in pr) - 1) * 100
        print(f"- {labels[v]} vs 1 route, median of per-round ratios: req/s {-drop:+.1f} %, CPU-µs/req {cost:+.1f} % "
              f"(rounds: {', '.join(f'{(p[0] - 1) * 100:+.1f}/{(p[1] - 1) * 100:+.1f}' for p in pr)} % req/s / CPU)")
        if disturbed:
            goals.append((f"Route table scale: {labels[v]} vs 1 route",
                          f"CPU-µs/req {cost:+.1f} % (req/s {-drop:+.1f} %: not comparable, the machine's other work took "
                          f"up to {max(m['other'] for m in med.values()):.0f} % of the proxy CPU)",
                          "drop ≤ 5 %", "yes, on CPU-µs/req only" if cost <= 5 else False))
        else:
            goals.append((f"Route table scale: {labels[v]} vs 1 route", f"req/s {-drop:+.1f} %, CPU-µs/req {cost:+.1f} %",
                          "drop ≤ 5 %", drop <= 5 and cost <= 5))
    if disturbed:
        print()
        print(f"**Other work used up to {max(m['other'] for m in med.values()):.0f} % of the proxy CPU during these runs: req/s and "
              "latency say more about the machine than about the route table; compare CPU-µs/request (per-round ratios). "
              "Rerun on a quiet machine, or with NICE=-10.**")
    print()

streams = {k: v for k, v in res.items() if k.startswith("stream ") and k.split()[1] in ("up-cl", "up-chunked", "down")}
if streams:
    print(f"### 2. Streaming memory ({sbytes >> 20} MiB per transfer, VmRSS every 100 ms; load avg {load('stream_load_start', 'stream_load_end')})")
    print()
    print(f"Idle RSS after warm-up: {mib(int(res['stream_idle_start_kib'][0])):.0f} MiB.")
    print()
    print("| transfer | round | idle RSS MiB | peak RSS MiB | peak − idle MiB | seconds | MiB/s | proxy CPU s | samples |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    names = {"up-cl": "up, Content-Length", "up-chunked": "up, chunked", "down": "down (nginx file)"}
    worst = {}
    for k in sorted(streams, key=lambda k: (["up-cl", "up-chunked", "down"].index(k.split()[1]), int(k.split()[2]))):
        idle, peak, secs, ticks, samples = streams[k]
        idle, peak, secs = int(idle), int(peak), float(secs)
        kind = k.split()[1]
        worst[kind] = max(worst.get(kind, -1 << 40), peak - idle)
        print(f"| {names[kind]} | {k.split()[2]} | {mib(idle):.0f} | {mib(peak):.0f} | {mib(peak - idle):+.0f} | {secs:.1f} | "
              f"{sbytes / 1048576 / secs:,.0f} | {int(ticks) / hz:.1f} | {samples} |")
    for kind, d in worst.items():
        goals.append((f"Streaming {sbytes >> 20} MiB {names[kind]}", f"peak − idle {mib(d):+.0f} MiB (worst round)",
                      "≤ 64 MiB", mib(d) <= 64))
    print()
    slow = {k.split()[1]: v for k, v in res.items() if k.startswith("slow ")}
    if slow:
        print(f"Slow reader: curl --limit-rate {slow_rate} for {slow_s} s on the {sbytes >> 20} MiB file.")
        print()
        t1, t2 = int(slow_s) // 2, int(slow_s) - 1
        print(f"| path | client read MiB (at the end) | backend had sent MiB at {t1} s → {t2} s | client socket had received MiB at {t2} s | "
              f"in the proxy's kernel socket queues MiB | left for the proxy process MiB | nginx log: MiB sent / request s | proxy RSS idle → peak MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for via in ("proxy", "direct"):
            if via not in slow:
                continue
            idle, peak, late, got, a_mid, a_late, recv, unread, unacked, wall, logged = slow[via]
            b, _, t = logged.partition("/")
            lg = f"{int(b) / 1048576:.1f} / {t}" if b.isdigit() else "not logged within 5 s"
            queued = int(unread) + int(unacked)
            rest = int(a_late) - int(recv) - queued
            print(f"| {'through the proxy' if via == 'proxy' else 'direct to nginx'} | {int(got) / 1048576:.1f} | "
                  f"{int(a_mid) / 1048576:.1f} → {int(a_late) / 1048576:.1f} | {int(recv) / 1048576:.1f} | "
                  f"{queued / 1048576:.1f} | {rest / 1048576:.1f} | {lg} | "
                  f"{f'{mib(int(idle)):.0f} → {mib(int(peak)):.0f}' if via == 'proxy' else '—'} |")
        if "proxy" in slow:
            idle, peak, late, got, a_mid, a_late, recv, unread, unacked, wall, logged = slow["proxy"]
            ahead = int(a_late) - int(recv)
            growth = int(a_late) - int(a_mid)
            ok = mib(int(peak) - int(idle)) <= 64 and ahead <= 64 << 20
            goals.append(("Slow reader: proxy RSS flat, backend held back",
                          f"RSS {mib(int(peak) - int(idle)):+.0f} MiB; backend {ahead / 1048576:.1f} MiB ahead of the client socket, "
                          f"{int(unread) / 1048576 + int(unacked) / 1048576:.1f} MiB of it in kernel queues; "
                          f"+{growth / 1048576:.1f} MiB sent between {t1} s and {t2} s",
                          "RSS ≤ 64 MiB over idle; backend ≤ 64 MiB ahead", ok))
        print()

idle_rounds = [json.loads(v[0]) for k, v in sorted(res.items()) if k.startswith("idle ") and k.split()[1].isdigit()]
if idle_rounds:
    print(f"### 3. Idle keep-alive connections ({len(idle_rounds)} rounds, a fresh proxy each; load avg {load('idle_load_start', 'idle_load_end')})")
    print()
    print("| round | open | errors | proxy says open | still usable (every 100th) | RSS before MiB | RSS idle after MiB | **extra MiB** | KiB per connection "
          "| RSS after wrk beside them MiB | extra MiB | heap committed MiB: before → after the wrk beside them | live heap per connection KiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    extras, extras_t = [], []
    for i, d in enumerate(idle_rounds, 1):
        extra = mib(d["rss_after_kib"] - d["rss_before_kib"])
        extras.append(extra)
        t = d.get("rss_after_between_kib")
        if t is not None:
            extras_t.append(mib(t - d["rss_before_kib"]))
        live = (d["heap_gc"][1] - d["heap_closed_gc"][1]) / max(1, d["conns"]) if d.get("heap_gc") and d.get("heap_closed_gc") else None
        tcol = "—" if t is None else f"{mib(t):.0f}"
        tex = "—" if t is None else f"{mib(t - d['rss_before_kib']):+.0f}"
        lcol = "—" if live is None else f"{live:.1f}"
        print(f"| {i} | {d['conns']:,} | {d['errors']} | {d.get('proxy_client_connections', '—')} | {d['probe_ok']}/{d['probe_ok'] + d['probe_fail']} | "
              f"{mib(d['rss_before_kib']):.0f} | {mib(d['rss_after_kib']):.0f} | **{extra:+.0f}** | "
              f"{(d['rss_after_kib'] - d['rss_before_kib']) / max(1, d['conns']):.1f} | "
              f"{tcol} | {tex} | {d['heap_before'][0] >> 10} → {d['heap_open'][0] >> 10} | {lcol} |")
    print()
    print("RSS before: median over 5 s, after 3 s of wrk and 2 s of quiet. Idle after: median over 5 s, 5 s after the last connection "
          "opened. After wrk beside them: the same 3 s of wrk on 50 other connections, 5 s of quiet, median over 5 s. Heap committed "
          "(jcmd GC.heap_info) before the baseline and after the wrk beside them; live heap per connection = heap used after a "
          "full GC with the connections open minus after one with them closed (taken after all RSS figures).")
    print()
    ok = all(d["conns"] == int(idle_n) and d["errors"] == 0 and d["probe_fail"] == 0 for d in idle_rounds)
    goals.append((f"{int(idle_n):,} idle connections", f"median {st.median(extras):+.0f} MiB RSS (rounds: {', '.join(f'{e:+.0f}' for e in extras)})"
                  + ("" if ok else "; some connections failed or were closed"), "≤ 40 MiB", st.median(extras) <= 40 and ok))
    if extras_t:
        goals.append((f"{int(idle_n):,} idle connections, after traffic beside them", f"median {st.median(extras_t):+.0f} MiB RSS "
                      f"(rounds: {', '.join(f'{e:+.0f}' for e in extras_t)})", "≤ 40 MiB", st.median(extras_t) <= 40 and ok))

runs = {k: json.loads(v[0]) for k, v in res.items() if k.startswith("startup ")}
if runs:
    print(f"### 4. Startup to the first proxied request ({sruns} runs each, fresh data dir, CPUs: {scpus}; load avg {load('startup_load_start', 'startup_load_end')})")
    print()
    print("| JVM | median ms | runs ms (first proxied 200) | median ms to the ‘listening’ line |")
    print("|---|---:|---|---:|")
    for m in ("plain", "appcds"):
        rs = [v for k, v in sorted(runs.items(), key=lambda kv: int(kv[0].split()[2])) if k.split()[1] == m]
        if not rs:
            continue
        ok = [r["first_ok_ms"] for r in rs]
        lines = [r["ready_line_ms"] for r in rs if r["ready_line_ms"] is not None]
        label = "default (JDK CDS archive)" if m == "plain" else f"AppCDS archive ({int(res['startup_jsa_bytes'][0]) >> 20} MiB)"
        print(f"| {label} | {st.median(ok):.0f} | {' '.join(map(str, ok))} | {st.median(lines):.0f} |" if lines else
              f"| {label} | {st.median(ok):.0f} | {' '.join(map(str, ok))} | — |")
        goals.append((f"Startup, {label}", f"median {st.median(ok) / 1000:.2f} s", "≤ 1.5 s", st.median(ok) <= 1500))
    print()

if goals:
    print("### Goals")
    print()
    print("| goal | measured | target | met |")
    print("|---|---|---|---|")
    for g, m, t, ok in goals:
        print(f"| {g} | {m} | {t} | {ok if isinstance(ok, str) else 'yes' if ok else '**no**'} |")
PY
  echo
  echo "Raw figures: ${md%.md}-raw.txt$( [[ -f $tmp/routes.csv ]] && echo ", ${md%.md}-routes.csv" ) (under bench/results/, gitignored)"
} | tee "$md"
