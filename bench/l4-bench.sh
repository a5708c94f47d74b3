#!/usr/bin/env bash
# Edgeway stream routes vs nginx `stream {}` vs HAProxy `mode tcp`, as layer-4 proxies, on loopback, one run.
#
#   bench/l4-bench.sh                          ROUNDS=5 DURATION=10
#   ROUNDS=1 DURATION=3 WARMUP=5 bench/l4-bench.sh   smoke (the figures mean nothing on a busy machine)
#   SKIP_EDGEWAY=1 bench/l4-bench.sh           nginx/HAProxy/direct only
#
# Three loads (issue 18), each against every target in interleaved rounds (the order rotates every round):
#   echo  CONNECTIONS TCP connections, each sends a MSG_SIZE-byte message and waits for its echo, again and again:
#         msgs/s, p50/p99 round trip, proxy CPU-µs per message
#   bulk  one TCP connection reading what the target sends as fast as it can: MB/s, proxy CPU-s per GB
#   udp   UDP_CLIENTS sockets (one proxy session each), each sends a DGRAM_SIZE-byte datagram and waits for the
#         reply, again and again: datagrams/s, p50/p99, proxy CPU-µs per datagram (HAProxy has no UDP: skipped)
# The targets and the load generator are bench/l4-load.c (compiled here with gcc), on LOAD_CPU; the proxy under
# test runs alone on PROXY_CPU. CPU time is utime+stime of all the proxy's processes, from /proc.
# See bench/README.md for how to read the output.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
MSG_SIZE=${MSG_SIZE:-64}
UDP_CLIENTS=${UDP_CLIENTS:-50}
DGRAM_SIZE=${DGRAM_SIZE:-64}
WARMUP=${WARMUP:-60}             # seconds of uncounted load per kind for Edgeway (JIT); 2 s for the others
SKIP_EDGEWAY=${SKIP_EDGEWAY:-0}
BENCH_ALLOW_BUILD=${BENCH_ALLOW_BUILD:-0}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BASE_PORT=${BASE_PORT:-21000}    # targets +0..2, nginx +10..12, haproxy +20..21, edgeway +30..34, control plane +40..41
NICE=${NICE:-0}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDGEWAY_CMD=${EDGEWAY_CMD:-$repo/edgeway}
results_dir=$repo/bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
kinds=(echo bulk udp)
declare -A target_port=([echo]=$BASE_PORT [bulk]=$((BASE_PORT + 1)) [udp]=$((BASE_PORT + 2)))
declare -A base=([direct]=$BASE_PORT [nginx]=$((BASE_PORT + 10)) [haproxy]=$((BASE_PORT + 20)) [edgeway]=$((BASE_PORT + 30)))
declare -A offset=([echo]=0 [bulk]=1 [udp]=2)
declare -A target_pid
ew_http=$((BASE_PORT + 33))
ew_status=$((BASE_PORT + 34))
cp_admin=$((BASE_PORT + 40))
cp_grpc=$((BASE_PORT + 41))
targets=(direct nginx haproxy edgeway)
[[ $SKIP_EDGEWAY == 1 ]] && targets=(direct nginx haproxy)
port_of() { echo $(( ${base[$1]} + ${offset[$2]} )); } # TARGET KIND

log() { printf '[l4-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for v in ROUNDS DURATION CONNECTIONS MSG_SIZE UDP_CLIENTS DGRAM_SIZE; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v: ${!v} (expected: a positive integer)"
done
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP: $WARMUP (expected: seconds)"
[[ $NICE =~ ^-?[0-9]+$ ]] || die "NICE: $NICE (expected: -20..19)"
(( $(nproc) >= 2 )) || die "needs 2 CPUs (proxy on one, load on the other); this machine has $(nproc)"

# --- tools -----------------------------------------------------------------------------------------------
stream_module=/usr/lib/nginx/modules/ngx_stream_module.so
need=()
command -v nginx >/dev/null || need+=(nginx)
[[ -f $stream_module ]] || need+=(libnginx-mod-stream)
command -v haproxy >/dev/null || need+=(haproxy)
command -v gcc >/dev/null || need+=(gcc)
command -v taskset >/dev/null || need+=(util-linux)
command -v curl >/dev/null || need+=(curl)
if (( ${#need[@]} )); then
  (( EUID == 0 )) || die "missing ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}"
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v python3 >/dev/null || die "python3 is required for the summary"
clk_tck=$(getconf CLK_TCK)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

edgeway_fail() { die "Edgeway was NOT benchmarked: $*
  (SKIP_EDGEWAY=1 runs the other targets alone)"; }
if [[ $SKIP_EDGEWAY != 1 ]]; then
  [[ -x $EDGEWAY_CMD ]] || edgeway_fail "no launcher at $EDGEWAY_CMD"
  if [[ $EDGEWAY_CMD == "$repo/edgeway" ]]; then
    compgen -G "$repo/control-plane/target/*.jar" >/dev/null || edgeway_fail "control-plane/target has no jar (./edgeway build)"
    compgen -G "$repo/proxy-dataplane/target/*.jar" >/dev/null || edgeway_fail "proxy-dataplane/target has no jar (./edgeway build)"
    # shellcheck disable=SC2012 # jar names are the build's own, no odd characters
    newest_jar=$(ls -t "$repo"/proxy-dataplane/target/*.jar | head -1)
    if [[ $BENCH_ALLOW_BUILD != 1 ]] && [[ -n $(find "$repo" -path '*/target' -prune -o \( -name '*.java' -o -name pom.xml \
        -o -name '*.proto' -o -path '*/resources/*' \) -newer "$newest_jar" -print -quit) ]]; then
      edgeway_fail "sources are newer than the jars (the launcher would rebuild first); run ./edgeway build, or BENCH_ALLOW_BUILD=1"
    fi
  fi
fi

# --- process bookkeeping: only what this script started is ever signalled --------------------------------
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
new_run_dir l4-bench
cp_pid=""
install_cleanup

for t in "${targets[@]}"; do for k in "${kinds[@]}"; do
  p=$(port_of "$t" "$k")
  port_busy "$p" && die "port $p is in use (set BASE_PORT to move all ports)"
done; done

gcc -O2 -Wall -o "$tmp/l4-load" "$repo/bench/l4-load.c" || die "gcc could not build bench/l4-load.c"

# --- targets (on the load CPU) ---------------------------------------------------------------------------
for k in "${kinds[@]}"; do
  mode=tcp-echo-server; [[ $k == bulk ]] && mode=tcp-source-server; [[ $k == udp ]] && mode=udp-echo-server
  nice -n "$NICE" taskset -c "$LOAD_CPU" "$tmp/l4-load" "$mode" "${target_port[$k]}" >"$tmp/target-$k.log" 2>&1 &
  track $! "target-$k"
  target_pid[$k]=$!
done
wait_until 5 "$!" port_busy "${target_port[bulk]}" || die "the targets did not start: $(cat "$tmp"/target-*.log)"

declare -A pids # target -> pids whose CPU time is the proxy's cost
pids[direct]=""

# --- nginx stream: one worker on the proxy CPU -------------------------------------------------------------
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
load_module $stream_module;
daemon off;
master_process on;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
stream {
  server { listen 127.0.0.1:$(port_of nginx echo) backlog=4096; proxy_pass 127.0.0.1:${target_port[echo]}; }
  server { listen 127.0.0.1:$(port_of nginx bulk); proxy_pass 127.0.0.1:${target_port[bulk]}; }
  server { listen 127.0.0.1:$(port_of nginx udp) udp; proxy_pass 127.0.0.1:${target_port[udp]}; proxy_timeout 30s; }
}
EOF
# shellcheck source=nginx-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx-common.sh"
log "nginx stream on CPU $PROXY_CPU, ports $(port_of nginx echo)-$(port_of nginx udp)"
start_nginx nginx "$tmp/nginx" "$PROXY_CPU" "$(port_of nginx echo)"
pids[nginx]=$nginx_pids

# --- HAProxy mode tcp (no UDP in HAProxy's community edition) ----------------------------------------------
cat >"$tmp/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen echo
  bind 127.0.0.1:$(port_of haproxy echo)
  server t 127.0.0.1:${target_port[echo]}
listen bulk
  bind 127.0.0.1:$(port_of haproxy bulk)
  server t 127.0.0.1:${target_port[bulk]}
EOF
haproxy -c -q -f "$tmp/haproxy.cfg" || die "haproxy rejected its config"
log "haproxy mode tcp on CPU $PROXY_CPU"
nice -n "$NICE" taskset -c "$PROXY_CPU" haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pids[haproxy]=$!
track "${pids[haproxy]}" haproxy
wait_until 10 "${pids[haproxy]}" port_busy "$(port_of haproxy echo)" || die "haproxy did not start: $(tail -5 "$tmp/haproxy.log")"

# --- Edgeway: control plane (load CPU, idle during the runs) + one proxy (proxy CPU) ----------------------
http() { curl -s -m 5 -o "$1" -w '%{http_code}' "${@:2}" || true; }
if [[ $SKIP_EDGEWAY != 1 ]]; then
  log "edgeway control plane on CPU $LOAD_CPU (admin $cp_admin, grpc $cp_grpc)"
  admin_token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (cd "$repo" && EDGEWAY_DATA_DIR="$tmp/cp" EDGEWAY_ADMIN_PORT=$cp_admin EDGEWAY_GRPC_PORT=$cp_grpc \
    EDGEWAY_ADMIN_TOKEN=$admin_token EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
    exec nice -n "$NICE" taskset -c "$LOAD_CPU" "$EDGEWAY_CMD" control-plane) >"$tmp/control-plane.log" 2>&1 &
  cp_pid=$!
  track "$cp_pid" control-plane
  wait_until 180 "$cp_pid" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$cp_admin/healthz" \
    || edgeway_fail "control plane not healthy: $(tail -20 "$tmp/control-plane.log")"
  auth="Authorization: Bearer $admin_token"
  post() { # PATH JSON
    local code
    code=$(http "$tmp/post.json" -XPOST "http://127.0.0.1:$cp_admin/api/v1/$1" -H "$auth" -H 'content-type: application/json' -d "$2")
    [[ $code == 2* ]] || edgeway_fail "POST /api/v1/$1 -> $code: $(head -c 500 "$tmp/post.json")"
  }
  for k in "${kinds[@]}"; do
    proto=tcp; [[ $k == udp ]] && proto=udp
    post upstreams "{\"name\":\"l4-$k\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":${target_port[$k]}}]}"
    post stream-routes "{\"name\":\"l4-$k\",\"listen_port\":$(port_of edgeway "$k"),\"protocol\":\"$proto\",\"upstream\":\"l4-$k\"}"
  done
  log "edgeway proxy on CPU $PROXY_CPU (stream ports $(port_of edgeway echo)-$(port_of edgeway udp), status $ew_status, 1 worker)"
  mkdir -p "$tmp/dp"
  (cd "$repo" && exec env EDGEWAY_WORKERS=1 EDGEWAY_PROXY_ADDRESS=127.0.0.1 EDGEWAY_PROXY_PORT=$ew_http EDGEWAY_TLS_PORT=0 \
    EDGEWAY_STATUS_PORT=$ew_status EDGEWAY_DATA_DIR="$tmp/dp" EDGEWAY_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
    nice -n "$NICE" taskset -c "$PROXY_CPU" "$EDGEWAY_CMD" dataplane --control-plane "127.0.0.1:$cp_grpc") >"$tmp/edgeway.log" 2>&1 &
  pids[edgeway]=$!
  track "${pids[edgeway]}" edgeway
  wait_until 120 "${pids[edgeway]}" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$ew_status/readyz" \
    || edgeway_fail "the proxy never became ready (/readyz): $(tail -20 "$tmp/edgeway.log")"
  wait_until 30 "${pids[edgeway]}" port_busy "$(port_of edgeway bulk)" \
    || edgeway_fail "the proxy did not open its stream ports: $(tail -20 "$tmp/edgeway.log")"
  [[ $(cat "/proc/${pids[edgeway]}/comm") == java ]] \
    || edgeway_fail "pid ${pids[edgeway]} is $(cat "/proc/${pids[edgeway]}/comm"), not java (does the launcher exec?)"
fi

# --- load ------------------------------------------------------------------------------------------------
# run_load TARGET KIND SECONDS OUT: the load tool (on the load CPU) against one target, bounded by timeout
run_load() {
  local p
  p=$(port_of "$1" "$2")
  case $2 in
    echo) timeout $(( $3 + 30 )) nice -n "$NICE" taskset -c "$LOAD_CPU" "$tmp/l4-load" tcp-echo "$p" "$CONNECTIONS" "$3" "$MSG_SIZE" ;;
    bulk) timeout $(( $3 + 30 )) nice -n "$NICE" taskset -c "$LOAD_CPU" "$tmp/l4-load" tcp-bulk "$p" "$3" ;;
    udp) timeout $(( $3 + 30 )) nice -n "$NICE" taskset -c "$LOAD_CPU" "$tmp/l4-load" udp-echo "$p" "$UDP_CLIENTS" "$3" "$DGRAM_SIZE" ;;
  esac >"$4" 2>&1 || die "load $2 against $1 failed: $(tail -5 "$4")"
}
field() { sed -n "s/.*\b$2=\([0-9.]*\).*/\1/p" "$1"; } # FILE NAME
skip() { [[ $1 == haproxy && $2 == udp ]]; }      # TARGET KIND

# Every target must relay every kind, without errors, before anything is timed.
for t in "${targets[@]}"; do for k in "${kinds[@]}"; do
  skip "$t" "$k" && continue
  run_load "$t" "$k" 1 "$tmp/check-$t-$k.txt"
  n=$(field "$tmp/check-$t-$k.txt" messages)$(field "$tmp/check-$t-$k.txt" bytes)$(field "$tmp/check-$t-$k.txt" datagrams)
  [[ -n $n && $n != 0 ]] || die "$t $k: nothing came back: $(cat "$tmp/check-$t-$k.txt")"
  [[ $(field "$tmp/check-$t-$k.txt" errors) =~ ^0?$ ]] || die "$t $k: errors: $(cat "$tmp/check-$t-$k.txt")"
done; done
log "every target relays echo, bulk and udp"

mkdir -p "$results_dir"
csv=$results_dir/l4-bench-$stamp.csv
echo "round,kind,target,count,bytes,seconds,p50_us,p99_us,errors,proxy_cpu_ticks,proxy_cpu_busy_ticks,load_cpu_s" >"$csv"

measure() { # ROUND TARGET KIND
  local out="$tmp/run-$1-$2-$3.txt" before after busy_before busy_after count bytes size target_before target_after load_s
  busy_before=$(cpu_busy "$PROXY_CPU")
  target_before=$(cpu_ticks "${target_pid[$3]}")
  # shellcheck disable=SC2086 # a target's entry lists its PIDs (nginx: master and worker), one word each
  before=$(cpu_ticks ${pids[$2]})
  run_load "$2" "$3" "$DURATION" "$out"
  # shellcheck disable=SC2086 # as above
  after=$(cpu_ticks ${pids[$2]})
  busy_after=$(cpu_busy "$PROXY_CPU")
  target_after=$(cpu_ticks "${target_pid[$3]}")
  count=$(field "$out" messages)$(field "$out" datagrams)
  bytes=$(field "$out" bytes)
  [[ -z $count ]] && count=0
  # the load CPU's own cost: the target's ticks, plus the bulk reader's CPU seconds (it prints them; 0 otherwise)
  load_s=$(awk -v t=$((target_after - target_before)) -v hz="$clk_tck" -v r="$(field "$out" cpu_s)" 'BEGIN {printf "%.3f", t / hz + r}')
  if [[ -z $bytes ]]; then # echo/udp: payload bytes one way
    size=$MSG_SIZE; [[ $3 == udp ]] && size=$DGRAM_SIZE
    bytes=$(( count * size ))
  fi
  echo "$1,$3,$2,$count,$bytes,$(field "$out" seconds),$(field "$out" p50_us),$(field "$out" p99_us),$(field "$out" errors)$(field "$out" lost),$((after - before)),$((busy_after - busy_before)),$load_s" >>"$csv"
  log "round $1 $2/$3: $(cat "$out"), proxy CPU $((after - before)) ticks"
}

for t in "${targets[@]}"; do
  w=2
  [[ $t == edgeway ]] && w=$WARMUP
  (( w > 0 )) || continue
  for k in "${kinds[@]}"; do
    skip "$t" "$k" && continue
    log "warm-up $t/$k ${w}s (not counted)"
    run_load "$t" "$k" "$w" "$tmp/warmup-$t-$k.txt"
  done
done

n=${#targets[@]}
for round in $(seq 1 "$ROUNDS"); do
  for k in "${kinds[@]}"; do
    for i in $(seq 0 $((n - 1))); do
      t=${targets[$(( (i + round - 1) % n ))]}
      skip "$t" "$k" || measure "$round" "$t" "$k"
    done
  done
done

# --- summary ----------------------------------------------------------------------------------------------
md=$results_dir/l4-bench-$stamp.md
{
  echo "## Layer-4 benchmark $stamp"
  echo
  echo "- machine: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r), load avg before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) (anything else running skews the numbers)"
  echo "- load: bench/l4-load.c, ${DURATION}s per run, $ROUNDS interleaved rounds, medians shown; echo = $CONNECTIONS connections x $MSG_SIZE-byte messages; bulk = 1 connection; udp = $UDP_CLIENTS clients x $DGRAM_SIZE-byte datagrams; proxy on CPU $PROXY_CPU, targets + load on CPU $LOAD_CPU, nice $NICE"
  echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //') (stream, 1 worker), $(haproxy -v | head -1 | cut -d' ' -f1-3) (mode tcp, 1 thread), $(java -version 2>&1 | head -1)"
  [[ $SKIP_EDGEWAY == 1 ]] && echo "- **Edgeway was not run (SKIP_EDGEWAY=1)**"
  echo
  python3 - "$csv" "$clk_tck" <<'PY'
import csv, statistics, sys
rows, hz = list(csv.DictReader(open(sys.argv[1]))), int(sys.argv[2])
order, med = ["direct", "nginx", "haproxy", "edgeway"], {}
for k, t in sorted({(r["kind"], r["target"]) for r in rows}, key=lambda x: (["echo", "bulk", "udp"].index(x[0]), order.index(x[1]))):
    rs = [r for r in rows if r["kind"] == k and r["target"] == t]
    m = lambda f: statistics.median(f(r) for r in rs)
    cpu_s = lambda r: int(r["proxy_cpu_ticks"]) / hz
    med[(k, t)] = dict(
        rate=m(lambda r: float(r["count"]) / float(r["seconds"])),
        mbs=m(lambda r: float(r["bytes"]) / float(r["seconds"]) / 1e6),
        p50=m(lambda r: float(r["p50_us"] or 0)), p99=m(lambda r: float(r["p99_us"] or 0)),
        cpu_us=None if t == "direct" or k == "bulk" else m(lambda r: cpu_s(r) * 1e6 / max(1, int(r["count"]))),
        cpu_gb=None if t == "direct" or k != "bulk" else m(lambda r: cpu_s(r) / (int(r["bytes"]) / 1e9)),
        load_gb=None if k != "bulk" else m(lambda r: float(r["load_cpu_s"]) / (int(r["bytes"]) / 1e9)),
        util=None if t == "direct" else m(lambda r: cpu_s(r) / float(r["seconds"]) * 100),
        other=m(lambda r: max(0.0, min(100.0, (int(r["proxy_cpu_busy_ticks"]) - int(r["proxy_cpu_ticks"])) / hz / float(r["seconds"]) * 100))),
        errors=sum(int(r["errors"] or 0) for r in rs))
fmt = lambda v, f: "—" if v is None else f.format(v)
print("| load | target | msgs/s | MB/s | p50 µs | p99 µs | proxy CPU-µs/msg | proxy CPU-s/GB | load CPU-s/GB | proxy CPU % | other on proxy CPU % | errors/lost |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (k, t), v in med.items():
    bulk = k == "bulk"
    print(f"| {k} | {t} | {'—' if bulk else fmt(v['rate'], '{:,.0f}')} | {fmt(v['mbs'], '{:,.0f}')} | "
          f"{'—' if bulk else fmt(v['p50'], '{:.0f}')} | {'—' if bulk else fmt(v['p99'], '{:.0f}')} | "
          f"{fmt(v['cpu_us'], '{:.2f}')} | {fmt(v['cpu_gb'], '{:.2f}')} | {fmt(v['load_gb'], '{:.2f}')} | {fmt(v['util'], '{:.0f}')} | {v['other']:.0f} | {v['errors']} |")
print()
def ratio(k, a, b, f):
    x, y = med.get((k, a)), med.get((k, b))
    return "—" if not x or not y or x[f] is None or not y[f] else f"{x[f] / y[f]:.2f}x"
print("| ratio | value | goal (issue 18) |")
print("|---|---:|---|")
for k, f, label, goal in [("echo", "cpu_us", "Edgeway / nginx CPU-µs per message, TCP echo", "<= 1.2x"),
                          ("echo", "p99", "Edgeway / nginx p99, TCP echo", ""),
                          ("bulk", "mbs", "Edgeway / nginx MB/s, TCP bulk", ">= 0.9x"),
                          ("bulk", "cpu_gb", "Edgeway / nginx CPU-s per GB, TCP bulk", ""),
                          ("bulk", "load_gb", "Edgeway / nginx load-side (target + reader) CPU-s per GB, TCP bulk", ""),
                          ("udp", "cpu_us", "Edgeway / nginx CPU-µs per datagram, UDP", "<= 1.2x"),
                          ("udp", "p99", "Edgeway / nginx p99, UDP", "")]:
    print(f"| {label} | {ratio(k, 'edgeway', 'nginx', f)} | {goal} |")
for k, f, label in [("echo", "cpu_us", "HAProxy / nginx CPU-µs per message, TCP echo"), ("bulk", "mbs", "HAProxy / nginx MB/s, TCP bulk")]:
    print(f"| {label} | {ratio(k, 'haproxy', 'nginx', f)} | |")
worst = max((v["other"] for (k, t), v in med.items() if t != "direct"), default=0)
if worst > 10:
    print(f"\n**Other work used up to {worst:.0f} % of the proxy CPU during the runs: rates and latency are not "
          "representative (CPU per message less so). Rerun on a quiet machine, or with NICE=-10.**")
if any(v["errors"] for v in med.values()):
    print("\n**Some runs had errors (TCP) or lost datagrams (UDP): see the last column and the CSV.**")
PY
  echo
  echo "Raw runs: ${csv#"$repo"/}"
} | tee "$md"
