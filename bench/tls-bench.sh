#!/usr/bin/env bash
# Edgeway vs nginx vs HAProxy as TLS-terminating reverse proxies, on this machine in one run, on loopback.
# Modelled on bench/proxy-bench.sh (same pinning, same CPU accounting); see bench/README.md.
#
#   bench/tls-bench.sh                         ROUNDS=3 DURATION=10, every scenario
#   ROUNDS=1 DURATION=5 bench/tls-bench.sh     quick look
#   SCENARIOS="keepalive h2" bench/tls-bench.sh
#   EDGEWAY_B_CMD=/path/to/other/edgeway bench/tls-bench.sh
#                                              A/B: also target edgeway-b, the other build's proxy (same control
#                                              plane, pinning and load, rotated with the others every round), and
#                                              B/A ratios per round in the summary: a code change apart from drift
#
# Scenarios (each target gets the same load, targets interleaved and rotated per round):
#   keepalive   wrk over HTTPS, CONNECTIONS keep-alive connections, /small (100 B) and /16k: CPU-µs per request
#   handshake   wrk with "Connection: close": a new connection and a full TLS 1.3 handshake (ECDSA P-256)
#               per request: CPU-µs per handshake
#   resumed     openssl s_time -reuse: resumed TLS 1.3 handshakes (session tickets): CPU-µs per handshake
#   h2          h2load over TLS (ALPN h2), CONNECTIONS connections x 10 streams: CPU-µs per request
# The proxy under test runs alone on PROXY_CPU; backend, load generator and the idle control plane share
# LOAD_CPU. CPU time is utime+stime of the proxy's processes over the run, divided by what completed.
# Written without being run (the lead runs the benchmarks): check the first results before trusting them.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
WARMUP=${WARMUP:-180}             # seconds of uncounted load for each Edgeway (JIT), shared by every measured
                                  # scenario and size in its own load shape; 2 s per shape for the others
SCENARIOS=${SCENARIOS:-"keepalive handshake resumed h2"}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BASE_PORT=${BASE_PORT:-19080}     # backend, nginx, haproxy, edgeway TLS = BASE_PORT+0..3; more above it
NICE=${NICE:-0}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDGEWAY_CMD=${EDGEWAY_CMD:-$repo/edgeway}
EDGEWAY_B_CMD=${EDGEWAY_B_CMD:-}  # another build's launcher: target edgeway-b (A/B in one run)
results_dir=$repo/bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)

declare -A port=([backend]=$BASE_PORT [nginx]=$((BASE_PORT + 1)) [haproxy]=$((BASE_PORT + 2)) [edgeway]=$((BASE_PORT + 3))
  [edgeway-b]=$((BASE_PORT + 5)))
declare -A plain_port=([edgeway]=$((BASE_PORT + 4)) [edgeway-b]=$((BASE_PORT + 6)))
declare -A status_port=([edgeway]=$((BASE_PORT + 103)) [edgeway-b]=$((BASE_PORT + 104)))
declare -A launcher=([edgeway]=$EDGEWAY_CMD [edgeway-b]=$EDGEWAY_B_CMD)
cp_admin=$((BASE_PORT + 110))
cp_grpc=$((BASE_PORT + 111))
targets=(nginx haproxy edgeway)
jit_targets=(edgeway) # warmed with WARMUP
[[ -n $EDGEWAY_B_CMD ]] && targets+=(edgeway-b) && jit_targets+=(edgeway-b)

log() { printf '[tls-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_positive ROUNDS DURATION
need_two_cpus
need_tools "Debian: nginx haproxy wrk nghttp2-client openssl util-linux curl python3" \
  nginx haproxy wrk h2load openssl taskset curl python3
compgen -G "$repo/proxy-dataplane/target/*.jar" >/dev/null || die "no proxy jar: run ./edgeway build first"
[[ -z $EDGEWAY_B_CMD ]] || launcher_ready "$EDGEWAY_B_CMD" die
clk_tck=$(getconf CLK_TCK)

new_run_dir tls-bench
install_cleanup
ports_free "${port[@]}" "${plain_port[@]}" "${status_port[@]}" "$cp_admin" "$cp_grpc"

# --- certificate: ECDSA P-256 for bench.test, the same for every proxy -------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench.test \
  -addext subjectAltName=DNS:bench.test -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 2>/dev/null
cat "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/haproxy.pem"

# --- backend and the two reference proxies -------------------------------------------------------------------
# shellcheck source=nginx-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx-common.sh"
make_www

{
  nginx_common "$tmp/backend"
  cat <<EOF
  sendfile on;
  default_type application/octet-stream;
  server { listen 127.0.0.1:${port[backend]} backlog=4096; root $tmp/www; }
}
EOF
} >"$tmp/backend/nginx.conf"
# Mozilla intermediate, TLS 1.2 + 1.3, tickets on (nginx's default key is per process), h2 and http/1.1
{
  nginx_common "$tmp/nginx"
  cat <<EOF
  upstream backend { server 127.0.0.1:${port[backend]}; keepalive 64; }
  server {
    listen 127.0.0.1:${port[nginx]} ssl http2 backlog=4096;
    ssl_certificate $tmp/cert.pem;
    ssl_certificate_key $tmp/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384;
    ssl_prefer_server_ciphers off;
    ssl_session_tickets on;
    ssl_session_timeout 1d;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
} >"$tmp/nginx/nginx.conf"
cat >"$tmp/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${port[haproxy]} ssl crt $tmp/haproxy.pem alpn h2,http/1.1
  default_backend be
backend be
  server backend 127.0.0.1:${port[backend]}
EOF

declare -A pids
start_nginx backend "$tmp/backend" "$LOAD_CPU" "${port[backend]}"
start_nginx nginx "$tmp/nginx" "$PROXY_CPU" "${port[nginx]}"
pids[nginx]=$nginx_pids
haproxy -c -q -f "$tmp/haproxy.cfg" || die "haproxy rejected its config"
nice -n "$NICE" taskset -c "$PROXY_CPU" haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pids[haproxy]=$!
track "${pids[haproxy]}" haproxy
wait_until 10 "${pids[haproxy]}" port_busy "${port[haproxy]}" || die "haproxy did not start: $(tail -5 "$tmp/haproxy.log")"

# --- Edgeway: control plane (LOAD_CPU), the certificate through the admin API, one proxy (PROXY_CPU) --------
start_control_plane die
api /api/v1/upstreams "{\"name\":\"bench\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":${port[backend]}}]}"
api /api/v1/routes '{"name":"bench","paths":["/"],"upstream":"bench"}'
api /api/v1/certificates "$(python3 -c 'import json,sys; print(json.dumps({"name":"bench","cert":open(sys.argv[1]).read(),"key":open(sys.argv[2]).read(),"snis":["bench.test"]}))' "$tmp/cert.pem" "$tmp/key.pem")"
# start_edgeway TARGET: its launcher's proxy, on PROXY_CPU, joined to the one control plane (an A/B run's B proxy
# too: the two builds must speak the same push protocol); log in $tmp/TARGET.log
start_edgeway() {
  local t=$1
  (cd "$repo" && EDGEWAY_WORKERS=1 EDGEWAY_PROXY_PORT=${plain_port[$t]} EDGEWAY_TLS_PORT=${port[$t]} \
    EDGEWAY_TLS_DEFAULT_CERTIFICATE=bench EDGEWAY_STATUS_PORT=${status_port[$t]} EDGEWAY_DATA_DIR="$tmp/dp-$t" \
    EDGEWAY_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
    exec nice -n "$NICE" taskset -c "$PROXY_CPU" "${launcher[$t]}" dataplane --control-plane "127.0.0.1:$cp_grpc") \
    >"$tmp/$t.log" 2>&1 &
  pids[$t]=$!
  track "${pids[$t]}" "$t"
  wait_until 120 "${pids[$t]}" curl -sf -m 2 -o /dev/null "http://127.0.0.1:${status_port[$t]}/readyz" \
    || die "$t never became ready: $(tail -20 "$tmp/$t.log")"
  [[ $(cat "/proc/${pids[$t]}/comm") == java ]] || die "$t pid ${pids[$t]} is not the JVM"
  grep -m1 'tls engine' "$tmp/$t.log" >&2 || true
}
for t in "${jit_targets[@]}"; do start_edgeway "$t"; done

# Every target serves both files over TLS with the right certificate before anything is timed.
for t in "${targets[@]}"; do
  for s in small 16k; do
    ok=0
    for _ in $(seq 1 50); do
      code=$(curl -s -m 5 --cacert "$tmp/cert.pem" --resolve "bench.test:${port[$t]}:127.0.0.1" -o "$tmp/check" \
        -w '%{http_code}' "https://bench.test:${port[$t]}/$s" || true)
      if [[ $code == 200 ]] && cmp -s "$tmp/check" "$tmp/www/$s"; then ok=1; break; fi
      sleep 0.2
    done
    (( ok )) || die "$t /$s over TLS: HTTP $code"
  done
done
log "all targets serve both files over TLS"

# --- load ----------------------------------------------------------------------------------------------------
to_us() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000; else m = -1
    if (m < 0) exit 1; printf "%.1f", n * m }'
}
url() { echo "https://127.0.0.1:${port[$1]}/$2"; }
# run_load SCENARIO TARGET SIZE SECONDS OUT: prints "count p50_us p99_us" (count = requests or handshakes)
run_load() {
  local sc=$1 t=$2 s=$3 secs=$4 out=$5
  case $sc in
    keepalive|handshake)
      local extra=()
      [[ $sc == handshake ]] && extra=(-H "Connection: close")
      timeout $(( secs + 30 )) taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$secs"s --latency \
        -H "Host: bench.test" "${extra[@]}" "$(url "$t" "$s")" >"$out" 2>&1 || die "wrk $sc $t failed: $(tail -3 "$out")"
      local n p50 p99
      n=$(awk '/requests in/ {print $1}' "$out")
      p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
      p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
      echo "$n $p50 $p99" ;;
    resumed)
      timeout $(( secs + 30 )) taskset -c "$LOAD_CPU" openssl s_time -connect "127.0.0.1:${port[$t]}" -reuse -www /small \
        -time "$secs" -CAfile "$tmp/cert.pem" >"$out" 2>&1 || die "s_time $t failed: $(tail -3 "$out")"
      # "N connections in T real seconds": s_time runs one connection at a time, so no percentiles
      echo "$(awk '/connections in .* real seconds/ {print $1; exit}' "$out") - -" ;;
    h2)
      timeout $(( secs + 30 )) taskset -c "$LOAD_CPU" h2load -c"$CONNECTIONS" -m10 -D"$secs" --warm-up-time=1 \
        -H ":authority: bench.test" "$(url "$t" "$s")" >"$out" 2>&1 || die "h2load $t failed: $(tail -3 "$out")"
      # h2load prints per-request latency as min/max/mean/sd only: the mean stands in for p50, no p99
      echo "$(awk '/^requests:/ {print $8}' "$out") $(to_us "$(awk '/^time for request:/ {print $6}' "$out")") -" ;;
  esac
}

mkdir -p "$results_dir"
csv=$results_dir/tls-bench-$stamp.csv
echo "round,scenario,target,size,count,seconds,proxy_cpu_ticks,cpu_us_per_op,p50_us,p99_us" >"$csv"
measure() { # ROUND SCENARIO TARGET SIZE
  local out="$tmp/$1-$2-$3-$4.txt" before after n p50 p99
  # shellcheck disable=SC2086 # one pid or several (a master and its workers)
  before=$(cpu_ticks ${pids[$3]})
  read -r n p50 p99 < <(run_load "$2" "$3" "$4" "$DURATION" "$out")
  # shellcheck disable=SC2086 # one pid or several (a master and its workers)
  after=$(cpu_ticks ${pids[$3]})
  [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "nothing completed in $out"
  local cpu_us
  cpu_us=$(awk -v d=$((after - before)) -v hz="$clk_tck" -v n="$n" 'BEGIN {printf "%.2f", d / hz * 1e6 / n}')
  echo "$1,$2,$3,$4,$n,$DURATION,$((after - before)),$cpu_us,$p50,$p99" >>"$csv"
  log "round $1 $2 $3/$4: $n done, $cpu_us CPU-us each, p50 ${p50}us p99 ${p99}us"
}

sizes_of() { if [[ $1 == keepalive || $1 == h2 ]]; then echo small 16k; else echo small; fi; }
# Warm-up before round 1, uncounted: every load shape the rounds measure (scenario and size), so that no path is
# still being JIT-compiled in round 1 (keep-alive load alone left h2 and resumption compiling through round 1).
# Edgeway (and edgeway-b) get WARMUP seconds shared evenly by the shapes, in rotating slices; nginx and HAProxy 2 s
# per shape (caches, session ticket keys).
shapes=""
for sc in $SCENARIOS; do for s in $(sizes_of "$sc"); do shapes+=" $sc:$s"; done; done
read -r -a shape_list <<<"$shapes"
# warm_one SHAPE TARGET SECONDS: one uncounted slice, in a subshell so that one that does not end cleanly costs its
# timeout, not the run: h2load against a cold proxy on a starved machine was seen to wait on after its time was up
# (both builds, load average 46) until the timeout killed it.
warm_one() {
  (run_load "${1%%:*}" "$2" "${1#*:}" "$3" "$tmp/warmup-$2-${1/:/-}.txt") >/dev/null \
    || log "warm-up $2 $1: the load tool did not end cleanly (uncounted; going on)"
}
for t in "${targets[@]}"; do
  [[ " ${jit_targets[*]} " == *" $t "* ]] || warm_slices 2 "$shapes" warm_one "$t"
done
share=$(( WARMUP / ${#shape_list[@]} ))
(( WARMUP > 0 && share == 0 )) && share=1 # WARMUP=0: measure a cold proxy
warm_slices "$share" "$shapes" warm_one "${jit_targets[@]}"
n=${#targets[@]}
for round in $(seq 1 "$ROUNDS"); do
  for sc in $SCENARIOS; do
    read -r -a sizes <<<"$(sizes_of "$sc")"
    for s in "${sizes[@]}"; do
      for i in $(seq 0 $((n - 1))); do
        measure "$round" "$sc" "${targets[$(( (i + round - 1) % n ))]}" "$s"
      done
    done
  done
done

md=$results_dir/tls-bench-$stamp.md
{
  echo "## TLS benchmark $stamp"
  echo
  echo "- machine: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); proxy on CPU $PROXY_CPU, load on CPU $LOAD_CPU; $ROUNDS rounds of ${DURATION}s, medians"
  echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(haproxy -v | head -1 | cut -d' ' -f1-3), $(openssl version), $(grep -m1 -o 'tls engine [^,"]*' "$tmp/edgeway.log" || echo 'edgeway engine unknown')"
  echo "- warm-up before round 1, uncounted: ${share}s of each shape (${shapes# }) per Edgeway, 2 s per shape for the others"
  if [[ -n $EDGEWAY_B_CMD ]]; then
    echo "- A/B: edgeway = $(launcher_label "$EDGEWAY_CMD"); edgeway-b = $(launcher_label "$EDGEWAY_B_CMD")"
  fi
  echo
  PYTHONPATH="$repo/bench" python3 - "$csv" <<'PY'
import csv, statistics, sys
from ab_ratios import cells, per_round
rows = list(csv.DictReader(open(sys.argv[1])))
keys = sorted({(r["scenario"], r["size"], r["target"]) for r in rows})
med = {}
for k in keys:
    rs = [r for r in rows if (r["scenario"], r["size"], r["target"]) == k]
    num = lambda f: statistics.median(float(r[f]) for r in rs) if all(r[f] not in ("", "-") for r in rs) else None
    med[k] = dict(cpu=num("cpu_us_per_op"), p50=num("p50_us"), p99=num("p99_us"), n=num("count"))
f = lambda v, p: "—" if v is None else p.format(v)
print("| scenario | size | target | CPU-µs per op | p50 ms | p99 ms | ops per run |")
print("|---|---|---|---:|---:|---:|---:|")
for (sc, s, t), v in med.items():
    print(f"| {sc} | {s} | {t} | {f(v['cpu'], '{:.1f}')} | {f(v['p50'] and v['p50'] / 1000, '{:.3f}')} | {f(v['p99'] and v['p99'] / 1000, '{:.3f}')} | {f(v['n'], '{:,.0f}')} |")
print()
print("| Edgeway / nginx CPU-µs per op | size | ratio | goal |")
print("|---|---|---:|---:|")
goals = {"keepalive": 1.1, "handshake": 1.0, "resumed": 1.0, "h2": 1.1}
for (sc, s, t), v in med.items():
    if t != "edgeway" or (sc, s, "nginx") not in med:
        continue
    n = med[(sc, s, "nginx")]["cpu"]
    r = v["cpu"] / n if v["cpu"] and n else None
    print(f"| {sc} | {s} | {f(r, '{:.2f}x')} | ≤ {goals.get(sc, 1.0)}x |")
if any(t == "edgeway-b" for _, _, t in med):
    print()  # per-round ratios: see ab_ratios.py
    print("| edgeway-b / edgeway (B/A) | size | CPU-µs per op, median of per-round ratios | per round | p50 |")
    print("|---|---|---:|---|---:|")
    for (sc, s, t), v in med.items():
        if t != "edgeway-b" or (sc, s, "edgeway") not in med:
            continue
        per = per_round(rows, "cpu_us_per_op", scenario=sc, size=s)
        p50a = med[(sc, s, "edgeway")]["p50"]
        p50 = v["p50"] / p50a if v["p50"] and p50a else None
        print(f"| {sc} | {s} | {cells(per)} | {f(p50, '{:.2f}x')} |")
PY
} >"$md"
cat "$md"
log "results: $csv and $md"
