#!/usr/bin/env bash
# Edgeway vs nginx serving the edge's other jobs (issue 17), on this machine in one run, on loopback:
#
#   static  a 1 KiB and a 1 MiB file from a deployed site      vs nginx root + sendfile
#   cache   a cache hit, 100 B and 16 KiB, from a cached route  vs nginx proxy_cache
#   gzip    a 100 KiB JSON response compressed on the fly       vs nginx gzip on, same level (GZIP_LEVEL)
#
#   bench/edge-bench.sh                         ROUNDS=3 DURATION=10, every scenario
#   ROUNDS=1 DURATION=5 SCENARIOS=static bench/edge-bench.sh
#   EDGEWAY_B_CMD=/path/to/other/edgeway bench/edge-bench.sh    A/B: also target edgeway-b, the other build's proxy
#                                               (same control plane and pinning, rotated with the others every
#                                               round), and B/A ratios per round: a code change apart from drift
#
# Modelled on bench/proxy-bench.sh (same pinning and CPU accounting, see bench/README.md): the proxy under test
# runs alone on PROXY_CPU; the backend (nginx), wrk and the idle control plane share LOAD_CPU. Each run is wrk,
# 1 thread, CONNECTIONS keep-alive connections, DURATION seconds; targets alternate and rotate every round.
# CPU-µs per request = the proxy's utime+stime over the run / completed requests.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
WARMUP=${WARMUP:-60}              # seconds of uncounted load per measured path for each Edgeway (JIT), in
                                  # slices rotating through every path of SCENARIOS; 2 s per path for nginx
SCENARIOS=${SCENARIOS:-"static cache gzip"}
GZIP_LEVEL=${GZIP_LEVEL:-1}       # nginx's default gzip_comp_level
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BASE_PORT=${BASE_PORT:-19500}
NICE=${NICE:-0}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDGEWAY_CMD=${EDGEWAY_CMD:-$repo/edgeway}
EDGEWAY_B_CMD=${EDGEWAY_B_CMD:-}  # another build's launcher: target edgeway-b (A/B in one run)
results_dir=$repo/bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
declare -A port=([backend]=$BASE_PORT [nginx]=$((BASE_PORT + 1)) [edgeway]=$((BASE_PORT + 2)) [edgeway-b]=$((BASE_PORT + 3)))
declare -A status_port=([edgeway]=$((BASE_PORT + 103)) [edgeway-b]=$((BASE_PORT + 104)))
declare -A launcher=([edgeway]=$EDGEWAY_CMD [edgeway-b]=$EDGEWAY_B_CMD)
cp_admin=$((BASE_PORT + 110))
cp_grpc=$((BASE_PORT + 111))
targets=(nginx edgeway)
jit_targets=(edgeway) # warmed with WARMUP
[[ -n $EDGEWAY_B_CMD ]] && targets+=(edgeway-b) && jit_targets+=(edgeway-b)
# scenario -> the Host both proxies route on, and the paths measured
declare -A host=([static]=static.test [cache]=cache.test [gzip]=gzip.test)
declare -A paths=([static]="/1k.bin /1m.bin" [cache]="/small /16k" [gzip]="/data.json")

log() { printf '[edge-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_positive ROUNDS DURATION
[[ $GZIP_LEVEL =~ ^[1-9]$ ]] || die "GZIP_LEVEL: $GZIP_LEVEL (expected: 1-9)"
need_two_cpus
need_tools "Debian: nginx wrk util-linux curl python3 gzip" nginx wrk taskset curl python3 gzip
compgen -G "$repo/proxy-dataplane/target/*.jar" >/dev/null || die "no proxy jar: run ./edgeway build first"
[[ -z $EDGEWAY_B_CMD ]] || launcher_ready "$EDGEWAY_B_CMD" die
clk_tck=$(getconf CLK_TCK)

new_run_dir edge-bench
install_cleanup
ports_free "${port[@]}" "${status_port[@]}" "$cp_admin" "$cp_grpc"

# --- content: the site's files (also nginx's root), the backend's files --------------------------------------
# shellcheck source=nginx-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx-common.sh"
make_www # /small and /16k for the cache scenario
mkdir -p "$tmp/site"
head -c 1024 /dev/urandom >"$tmp/site/1k.bin"
head -c 1048576 /dev/urandom >"$tmp/site/1m.bin"
python3 - "$tmp/www/data.json" <<'PY'
import json, random, sys
random.seed(17)  # the same 100 KiB document every run: compression cost depends on the content
items, size = [], 0
while size < 100 * 1024:
    items.append({"id": len(items), "sku": f"SKU-{random.randrange(10**6):06d}", "name": random.choice(
        ["lamp", "chair", "table", "shelf", "rug"]) + " " + random.choice(["oak", "steel", "linen", "glass"]),
        "price": round(random.uniform(5, 500), 2), "stock": random.randrange(100), "tags": random.sample(
        ["new", "sale", "eco", "bulk", "gift", "rare"], 2)})
    size = len(json.dumps(items))
open(sys.argv[1], "w").write(json.dumps(items))
PY
chmod 755 "$tmp/site" && chmod 644 "$tmp/site/"* "$tmp/www/"*

# --- backend and nginx ---------------------------------------------------------------------------------------
{
  nginx_common "$tmp/backend"
  cat <<EOF
  sendfile on;
  types { application/json json; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port[backend]} backlog=4096;
    root $tmp/www;
    location /small { expires 1h; }   # Cache-Control: max-age=3600: cacheable by both proxies
    location /16k { expires 1h; }
  }
}
EOF
} >"$tmp/backend/nginx.conf"
{
  nginx_common "$tmp/nginx"
  cat <<EOF
  sendfile on;
  tcp_nopush on;
  open_file_cache max=64;
  default_type application/octet-stream;
  proxy_cache_path $tmp/nginx/cache levels=1:2 keys_zone=bench:10m max_size=100m inactive=1h;
  upstream backend { server 127.0.0.1:${port[backend]}; keepalive 64; }
  server {
    listen 127.0.0.1:${port[nginx]} backlog=4096;
    server_name ${host[static]};
    root $tmp/site;
  }
  server {
    listen 127.0.0.1:${port[nginx]};
    server_name ${host[cache]};
    location / {
      proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_cache bench;
      add_header Cache-Status \$upstream_cache_status; # as Edgeway says hit or miss on every cached answer
    }
  }
  server {
    listen 127.0.0.1:${port[nginx]};
    server_name ${host[gzip]};
    gzip on; gzip_proxied any; gzip_types application/json; gzip_comp_level $GZIP_LEVEL; gzip_min_length 1024;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
} >"$tmp/nginx/nginx.conf"

declare -A pids
start_nginx backend "$tmp/backend" "$LOAD_CPU" "${port[backend]}"
start_nginx nginx "$tmp/nginx" "$PROXY_CPU" "${port[nginx]}"
nginx_master=${nginx_pids%% *}

# --- Edgeway: control plane (LOAD_CPU), the site and three routes through the admin API, one proxy ------------
start_control_plane die
(cd "$repo" && EDGEWAY_ADMIN_URL="http://127.0.0.1:$cp_admin" EDGEWAY_ADMIN_TOKEN=$admin_token \
  taskset -c "$LOAD_CPU" "$EDGEWAY_CMD" ctl site deploy --name bench --activate "$tmp/site") >"$tmp/deploy.log" 2>&1 \
  || die "site deploy failed: $(tail -5 "$tmp/deploy.log")"
api /api/v1/upstreams "{\"name\":\"backend\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":${port[backend]}}]}"
api /api/v1/routes "{\"name\":\"static\",\"hosts\":[\"${host[static]}\"],\"site\":{\"name\":\"bench\",\"spa\":false}}"
api /api/v1/routes "{\"name\":\"cache\",\"hosts\":[\"${host[cache]}\"],\"upstream\":\"backend\",\"cache\":{\"enabled\":true}}"
api /api/v1/routes "{\"name\":\"gzip\",\"hosts\":[\"${host[gzip]}\"],\"upstream\":\"backend\",\"compression\":{\"enabled\":true,\"types\":[\"application/json\"],\"min_size\":1024,\"level\":$GZIP_LEVEL,\"algorithms\":[\"gzip\"]}}"
# start_edgeway TARGET: its launcher's proxy on PROXY_CPU, joined to the one control plane (an A/B run's B proxy
# too: the two builds must speak the same push protocol); log in $tmp/TARGET.log
start_edgeway() {
  local t=$1
  (cd "$repo" && EDGEWAY_WORKERS=1 EDGEWAY_PROXY_PORT=${port[$t]} EDGEWAY_TLS_PORT=0 \
    EDGEWAY_STATUS_PORT=${status_port[$t]} EDGEWAY_DATA_DIR="$tmp/dp-$t" EDGEWAY_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
    exec nice -n "$NICE" taskset -c "$PROXY_CPU" "${launcher[$t]}" dataplane --control-plane "127.0.0.1:$cp_grpc") \
    >"$tmp/$t.log" 2>&1 &
  pids[$t]=$!
  track "${pids[$t]}" "$t"
  wait_until 120 "${pids[$t]}" curl -sf -m 2 -o /dev/null "http://127.0.0.1:${status_port[$t]}/readyz" \
    || die "$t never became ready: $(tail -20 "$tmp/$t.log")"
  [[ $(cat "/proc/${pids[$t]}/comm") == java ]] || die "$t pid ${pids[$t]} is not the JVM"
}
for t in "${jit_targets[@]}"; do start_edgeway "$t"; done

# --- every target answers every path right before anything is timed ------------------------------------------
# check TARGET SCENARIO PATH: the body (gunzipped for gzip) equals the file; gzip must come compressed, and a
# cache hit must be a hit by the proxy's own word (Cache-Status: nginx's "HIT", Edgeway's RFC 9211 "hit").
check() {
  local t=$1 sc=$2 p=$3 code want
  want=$tmp/www$p
  [[ $sc == static ]] && want=$tmp/site$p
  for _ in $(seq 1 50); do
    code=$(curl -s -m 5 -o "$tmp/check" -D "$tmp/check.h" -w '%{http_code}' -H "Host: ${host[$sc]}" \
      -H 'Accept-Encoding: gzip' "http://127.0.0.1:${port[$t]}$p" || true)
    if [[ $code == 200 ]]; then
      if [[ $sc == gzip ]]; then
        grep -qi '^content-encoding: gzip' "$tmp/check.h" && gzip -dc "$tmp/check" | cmp -s - "$want" && return 0
      elif [[ $sc != cache ]] || grep -qi '^cache-status:.*hit' "$tmp/check.h"; then
        cmp -s "$tmp/check" "$want" && return 0
      fi
    fi
    sleep 0.2
  done
  die "$t $sc $p: HTTP $code, headers: $(tr '\r\n' '  ' <"$tmp/check.h" | head -c 400)"
}
for sc in $SCENARIOS; do
  [[ -n ${host[$sc]:-} ]] || die "unknown scenario $sc (expected: static cache gzip)"
  for t in "${targets[@]}"; do for p in ${paths[$sc]}; do check "$t" "$sc" "$p"; done; done
done
log "every proxy serves every path correctly"

# --- load ----------------------------------------------------------------------------------------------------
to_us() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000; else m = -1
    if (m < 0) exit 1; printf "%.1f", n * m }'
}
run_load() { # TARGET SCENARIO PATH SECONDS OUT: prints "requests p50_us p99_us"
  local t=$1 sc=$2 p=$3 secs=$4 out=$5 n
  timeout $(( secs + 30 )) taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$secs"s --latency \
    -H "Host: ${host[$sc]}" -H 'Accept-Encoding: gzip' "http://127.0.0.1:${port[$t]}$p" >"$out" 2>&1 \
    || die "wrk $t $sc $p failed: $(tail -3 "$out")"
  grep -q 'Non-2xx' "$out" && die "$t $sc $p: non-2xx answers under load ($out)"
  n=$(awk '/requests in/ {print $1}' "$out")
  echo "$n $(to_us "$(awk '$1 == "50%" {print $2}' "$out")") $(to_us "$(awk '$1 == "99%" {print $2}' "$out")")"
}
mkdir -p "$results_dir"
csv=$results_dir/edge-bench-$stamp.csv
echo "round,scenario,path,target,requests,seconds,proxy_cpu_ticks,cpu_us_per_req,req_per_s,p50_us,p99_us" >"$csv"
measure() { # ROUND SCENARIO PATH TARGET
  local out="$tmp/$1-$2-${3//\//}-$4.txt" before after n p50 p99
  # nginx's children change: with proxy_cache its cache loader exits a minute after start (the cache manager stays)
  pids[nginx]="$nginx_master $(pgrep -P "$nginx_master" | tr '\n' ' ')"
  # shellcheck disable=SC2086 # the pids are a list: nginx's master and workers
  before=$(cpu_ticks ${pids[$4]})
  read -r n p50 p99 < <(run_load "$4" "$2" "$3" "$DURATION" "$out")
  # shellcheck disable=SC2086
  after=$(cpu_ticks ${pids[$4]})
  [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "nothing completed in $out"
  local cpu_us rps
  cpu_us=$(awk -v d=$((after - before)) -v hz="$clk_tck" -v n="$n" 'BEGIN {printf "%.2f", d / hz * 1e6 / n}')
  rps=$(awk -v n="$n" -v s="$DURATION" 'BEGIN {printf "%.0f", n / s}')
  echo "$1,$2,$3,$4,$n,$DURATION,$((after - before)),$cpu_us,$rps,$p50,$p99" >>"$csv"
  log "round $1 $2 $3 $4: $rps req/s, $cpu_us CPU-us/req, p50 ${p50}us p99 ${p99}us"
}
# Warm-up before round 1, uncounted: every path of every measured scenario, in slices that rotate through them
# all (and through edgeway and edgeway-b), so that the JIT has seen the rounds' mix of paths, not one after another.
shapes=""
for sc in $SCENARIOS; do for p in ${paths[$sc]}; do shapes+=" $sc:$p"; done; done
warm_one() { run_load "$2" "${1%%:*}" "${1#*:}" "$3" "$tmp/warmup-$2.txt" >/dev/null; } # SHAPE TARGET SECONDS
warm_slices 2 "$shapes" warm_one nginx
warm_slices "$WARMUP" "$shapes" warm_one "${jit_targets[@]}"
n=${#targets[@]}
for round in $(seq 1 "$ROUNDS"); do
  for sc in $SCENARIOS; do
    for p in ${paths[$sc]}; do
      for i in $(seq 0 $((n - 1))); do measure "$round" "$sc" "$p" "${targets[$(( (i + round) % n ))]}"; done
    done
  done
done

md=$results_dir/edge-bench-$stamp.md
{
  echo "## Edge features benchmark $stamp"
  echo
  echo "- machine: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); proxy on CPU $PROXY_CPU, load on CPU $LOAD_CPU; $ROUNDS rounds of ${DURATION}s, $CONNECTIONS connections, medians; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //'); gzip level $GZIP_LEVEL on both"
  if [[ -n $EDGEWAY_B_CMD ]]; then
    echo "- A/B: edgeway = $(launcher_label "$EDGEWAY_CMD"); edgeway-b = $(launcher_label "$EDGEWAY_B_CMD")"
  fi
  echo
  PYTHONPATH="$repo/bench" python3 - "$csv" <<'PY'
import csv, statistics, sys
from ab_ratios import cells, per_round
rows = list(csv.DictReader(open(sys.argv[1])))
keys = list(dict.fromkeys((r["scenario"], r["path"], r["target"]) for r in rows))
med = {k: {f: statistics.median(float(r[f]) for r in rows if (r["scenario"], r["path"], r["target"]) == k)
           for f in ("cpu_us_per_req", "req_per_s", "p50_us", "p99_us")} for k in keys}
print("| scenario | path | target | CPU-µs/req | req/s | p50 ms | p99 ms |")
print("|---|---|---|---:|---:|---:|---:|")
for (sc, p, t), v in med.items():
    print(f"| {sc} | {p} | {t} | {v['cpu_us_per_req']:.1f} | {v['req_per_s']:,.0f} | {v['p50_us'] / 1000:.3f} | {v['p99_us'] / 1000:.3f} |")
print()
goals = {"static": 1.2, "cache": 1.0, "gzip": 1.2}
print("| Edgeway / nginx | path | CPU-µs/req | p99 | goal (CPU) |")
print("|---|---|---:|---:|---:|")
for (sc, p, t), v in med.items():
    if t == "edgeway" and (sc, p, "nginx") in med:
        n = med[(sc, p, "nginx")]
        print(f"| {sc} | {p} | {v['cpu_us_per_req'] / n['cpu_us_per_req']:.2f}x | {v['p99_us'] / n['p99_us']:.2f}x | ≤ {goals[sc]}x |")
if any(t == "edgeway-b" for _, _, t in med):
    print()  # per-round ratios: see ab_ratios.py
    print("| edgeway-b / edgeway (B/A) | path | CPU-µs/req, median of per-round ratios | per round | p99 |")
    print("|---|---|---:|---|---:|")
    for (sc, p, t), v in med.items():
        if t != "edgeway-b" or (sc, p, "edgeway") not in med:
            continue
        per = per_round(rows, "cpu_us_per_req", scenario=sc, path=p)
        print(f"| {sc} | {p} | {cells(per)} | {v['p99_us'] / med[(sc, p, 'edgeway')]['p99_us']:.2f}x |")
PY
} >"$md"
cat "$md"
log "results: $csv and $md"
