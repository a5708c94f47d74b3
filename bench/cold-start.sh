#!/usr/bin/env bash
# Cold start (issue 21): each round starts every option FRESH and measures the first SECS seconds of load from the
# moment it is ready (nginx: port open; Edgeway: /readyz 200, which is when a load balancer would send traffic).
#
#   bench/cold-start.sh                                  ROUNDS=3 SECS=30, all options below
#   ROUNDS=1 SECS=10 OPTIONS="nginx ew17 ew17-warm" bench/cold-start.sh   quick look
#   COLD=1 bench/proxy-bench.sh                          the same (proxy-bench.sh hands over to this script)
#   EDGEWAY_B_CMD=/work/wt-base/edgeway OPTIONS="nginx ew17-warm" bench/cold-start.sh   A/B: each Edgeway option also
#                    runs as OPTION-b with the other build's launcher (own trained caches), in the same rotation, and
#                    the summary adds the ratio A / B per option (the cold start of a change against main, in one run)
#
# Options (one word each, started fresh in every round, in rotating order):
#   nginx       nginx, 1 worker
#   ew17        Edgeway on the default java (17): AppCDS (trained), warm-up off: the start before issue 21
#   ew17-warm   the same with the warm-up before /readyz (the default)
#   ew25        Edgeway on JDK 25 (JAVA25) with its AOT cache (trained by `edgeway train`), warm-up off
#   ew25-warm   JDK 25 AOT cache + warm-up
# Load: one wrk per second (-d1s, CONNECTIONS keep-alive connections, pinned to LOAD_CPU), SECS times in a row,
# so each second has its own p99 and max; the proxy runs alone on PROXY_CPU. Per option and round we record the
# time from exec to ready, the proxy's CPU time to ready and over the load, and (Edgeway) the JIT compilations
# done when it turned ready (jstat). No control plane: the proxy applies a config from its disk cache
# (bench/ColdStartSnapshot.java writes it), as a node started from an image with a cached config does.
# DIAG=1 (Edgeway options): the JVM also logs compilations (-XX:+PrintCompilation), class loads, GC and safepoints
# with its uptime, and bench/cold-start-diag.py counts what happened after ready: compilations, deopts, classes,
# pauses (counts the machine's load does not distort, unlike latencies). The logs are kept in results/cold-diag-*.
# An option's pids are a word list on purpose (nginx: master and worker).
# shellcheck disable=SC2086
set -euo pipefail

ROUNDS=${ROUNDS:-3}
SECS=${SECS:-30}
CONNECTIONS=${CONNECTIONS:-50}
OPTIONS=${OPTIONS:-"nginx ew17 ew17-warm ew25 ew25-warm"}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BASE_PORT=${BASE_PORT:-24000} # backend, nginx, edgeway proxy, edgeway status = BASE_PORT+0..3
NICE=${NICE:-0}
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
SIZE=${SIZE:-small}
DIAG=${DIAG:-0}
EDGEWAY_B_CMD=${EDGEWAY_B_CMD:-} # another build's launcher: each ew* option also runs as OPTION-b (A/B in one run)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDGEWAY_CMD=${EDGEWAY_CMD:-$repo/edgeway}
results_dir=$repo/bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
backend_port=$BASE_PORT nginx_port=$((BASE_PORT + 1)) ew_port=$((BASE_PORT + 2)) ew_status=$((BASE_PORT + 3))

log() { printf '[cold %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=common.sh
source "$repo/bench/common.sh"
need_positive ROUNDS SECS
for o in $OPTIONS; do [[ $o =~ ^(nginx|ew17|ew17-warm|ew25|ew25-warm)$ ]] || die "OPTIONS: unknown option $o"; done
if [[ -n $EDGEWAY_B_CMD ]]; then # the B options right after their A twins, so the rotation keeps each pair close in time
  OPTIONS=$(for o in $OPTIONS; do echo "$o"; [[ $o == nginx ]] || echo "$o-b"; done | tr '\n' ' ')
fi
need_tools "apt-get install nginx wrk util-linux curl python3" nginx wrk taskset curl python3
[[ $OPTIONS != *ew25* || -x $JAVA25 ]] || die "no JDK 25 at $JAVA25 (set JAVA25, or leave ew25* out of OPTIONS)"
launcher_ready "$EDGEWAY_CMD" die
[[ -z $EDGEWAY_B_CMD ]] || launcher_ready "$EDGEWAY_B_CMD" die
dp_jar=$(compgen -G "$repo/proxy-dataplane/target/edgeway-proxy-dataplane-*.jar" | head -1) || die "build first: ./edgeway build"

new_run_dir cold
# shellcheck source=nginx-common.sh
source "$repo/bench/nginx-common.sh"
install_cleanup
ports_free "$backend_port" "$nginx_port" "$ew_port" "$ew_status"

make_www
{ nginx_common "$tmp/backend"; cat <<NGINX
  sendfile on;
  default_type application/octet-stream;
  server { listen 127.0.0.1:$backend_port backlog=4096; root $tmp/www; }
}
NGINX
} >"$tmp/backend/nginx.conf"
{ nginx_common "$tmp/nginx"; cat <<NGINX
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port backlog=4096;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
} >"$tmp/nginx/nginx.conf"
log "backend nginx on CPU $LOAD_CPU, port $backend_port"
start_nginx backend "$tmp/backend" "$LOAD_CPU" "$backend_port"

# The proxy's config, once; each round copies it into a fresh data directory.
java -cp "$dp_jar:$repo/proxy-dataplane/target/lib/*" "$repo/bench/ColdStartSnapshot.java" "$tmp/seed" "$backend_port" \
  || die "could not write the cached config"

# build_of OPTION: "-b" for an option of the B build, else empty; launcher_of OPTION: the launcher that runs it.
build_of() { echo "${1#"${1%-b}"}"; }
launcher_of() { if [[ $(build_of "$1") == -b ]]; then echo "$EDGEWAY_B_CMD"; else echo "$EDGEWAY_CMD"; fi; }

# ew_env OPTION: the environment of an Edgeway option (java and cache directory per JDK and build; warm-up on or
# off). Each build has its own cache directory: a cache is only valid for the jar that recorded it.
ew_env() {
  local b
  b=$(build_of "$1")
  local e=(EDGEWAY_CONTROL_PLANE=127.0.0.1:9 EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT=true EDGEWAY_PROXY_ADDRESS=127.0.0.1
    EDGEWAY_PROXY_PORT="$ew_port" EDGEWAY_STATUS_PORT="$ew_status" EDGEWAY_TLS_PORT=0 EDGEWAY_WORKERS=1 EDGEWAY_DRAIN_DELAY=0)
  case $1 in
    ew17*) e+=(EDGEWAY_JAVA=java EDGEWAY_CDS_DIR="$tmp/cds17$b") ;;
    ew25*) e+=(EDGEWAY_JAVA="$JAVA25" EDGEWAY_CDS_DIR="$tmp/cds25$b") ;;
  esac
  if [[ ${1%-b} == *-warm ]]; then e+=(EDGEWAY_WARMUP=on); else e+=(EDGEWAY_WARMUP=off); fi
  printf '%s\n' "${e[@]}"
}

# Train the caches once, before any round (not counted): `edgeway train` on each JDK and build the options use.
for jdk in 17 25; do
  for b in "" -b; do
    wanted=0
    for o in $OPTIONS; do [[ $o == ew$jdk* && $(build_of "$o") == "$b" ]] && wanted=1; done
    (( wanted )) || continue
    log "training the JDK $jdk start-up cache of $(launcher_of "ew$jdk$b") (edgeway train)"
    mapfile -t env_words < <(ew_env "ew$jdk$b")
    env "${env_words[@]}" nice -n "$NICE" taskset -c "$PROXY_CPU" "$(launcher_of "ew$jdk$b")" train \
      >"$tmp/train-$jdk$b.log" 2>&1 || die "edgeway train (JDK $jdk$b) failed: $(tail -5 "$tmp/train-$jdk$b.log")"
    tail -1 "$tmp/train-$jdk$b.log" >&2
  done
done

# thread_cpu PID: CPU ms per thread kind (digits dropped from names), most first: what the start-up spent its CPU on.
thread_cpu() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')" "$(tr -d '0-9 ' <"$t/comm")"
  done 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" '{c[$2] += $1} END {for (k in c) printf "%d %s\n", c[k] * 1000 / hz, k}' \
    | sort -rn | head -6 | awk '{printf "%s%s %d ms", (NR > 1 ? ", " : ""), $2, $1}'
}

jstat_of() { case $1 in ew25*) echo "$(dirname "$JAVA25")/jstat" ;; *) echo jstat ;; esac; }
now_ms() { date +%s%3N; }

# start OPTION: starts it fresh; sets pid, ready_ms (exec to ready), cpu_ready (ticks), jit_ready.
start() {
  local o=$1 t0
  t0=$(now_ms)
  if [[ $o == nginx ]]; then
    start_nginx nginx "$tmp/nginx" "$PROXY_CPU" "$nginx_port"
    pid=$nginx_pids
    port=$nginx_port
    wait_until 20 "${pid%% *}" curl -sf -m 1 -o /dev/null "http://127.0.0.1:$nginx_port/$SIZE" || die "nginx not serving"
    jit_ready=""
  else
    rm -rf "$tmp/dp" && cp -r "$tmp/seed" "$tmp/dp"
    mapfile -t env_words < <(ew_env "$o")
    if [[ $DIAG == 1 ]]; then # read by the java launcher, added to the launcher's own options
      env_words+=("JDK_JAVA_OPTIONS=-XX:+PrintCompilation -Xlog:class+load=info:file=$tmp/$o-$round.classes:uptimemillis -Xlog:gc,safepoint:file=$tmp/$o-$round.vm:uptimemillis")
    fi
    env "${env_words[@]}" EDGEWAY_DATA_DIR="$tmp/dp" nice -n "$NICE" taskset -c "$PROXY_CPU" "$(launcher_of "$o")" dataplane \
      >"$tmp/$o-$round.log" 2>&1 &
    pid=$!
    track "$pid" "$o"
    port=$ew_port
    wait_until 120 "$pid" curl -sf -m 1 -o /dev/null "http://127.0.0.1:$ew_status/readyz" \
      || die "$o never became ready: $(tail -5 "$tmp/$o-$round.log")"
    read -r uptime_ready jit_ready < <("$(jstat_of "$o")" -compiler -t "$pid" 2>/dev/null | awk 'NR == 2 {print $1, $2}') || true
  fi
  ready_ms=$(( $(now_ms) - t0 ))
  cpu_ready=$(cpu_ticks $pid)
}

stop() { # the option's processes, by the pids this script started
  local p
  for p in $pid; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $pid; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
}

mkdir -p "$results_dir"
csv=$results_dir/cold-start-$stamp.csv
echo "round,option,ready_ms,cpu_ms_to_ready,jit_at_ready,second,requests,p99_us,max_us,cpu_ms" >"$csv"
clk_tck=$(getconf CLK_TCK)
read -r -a opts <<<"$OPTIONS"
n=${#opts[@]}
for round in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((n - 1))); do
    o=${opts[$(( (i + round - 1) % n ))]}
    start "$o"
    [[ $DIAG == 1 && $o != nginx ]] && echo "round $round $o; CPU by thread at ready: $(thread_cpu "$pid")" \
      >>"$results_dir/cold-diag-$stamp.txt"
    log "round $round $o: ready after ${ready_ms} ms, $((cpu_ready * 1000 / clk_tck)) ms CPU${jit_ready:+, $jit_ready JIT compilations}"
    for s in $(seq 1 "$SECS"); do
      before=$(cpu_ticks $pid)
      out=$tmp/wrk-$round-$o-$s.txt
      timeout 30 nice -n "$NICE" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d1s -s "$repo/bench/wrk-cold.lua" \
        "http://127.0.0.1:$port/$SIZE" >"$out" 2>&1 || die "wrk failed: $(tail -3 "$out")"
      after=$(cpu_ticks $pid)
      reqs=$(awk '/requests in/ {print $1}' "$out")
      read -r p99 max < <(awk '$1 == "cold" {print $2, $4}' "$out") || die "no latency line in $out"
      echo "$round,$o,$ready_ms,$((cpu_ready * 1000 / clk_tck)),${jit_ready},$s,$reqs,$p99,$max,$(( (after - before) * 1000 / clk_tck ))" >>"$csv"
    done
    stop
    if [[ $DIAG == 1 && $o != nginx ]]; then
      python3 "$repo/bench/cold-start-diag.py" "${uptime_ready:-0}" "$tmp/$o-$round.log" "$tmp/$o-$round.classes" \
        "$tmp/$o-$round.vm" | tee -a "$results_dir/cold-diag-$stamp.txt" >&2
      mkdir -p "$results_dir/cold-diag-$stamp" && cp "$tmp/$o-$round".* "$results_dir/cold-diag-$stamp/"
    fi
  done
done

md=$results_dir/cold-start-$stamp.md
{
  echo "## Cold start $stamp"
  echo
  echo "- machine: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load avg $(cut -d' ' -f1-3 /proc/loadavg) at the end (a loaded machine skews latency; CPU times less)"
  [[ -z $EDGEWAY_B_CMD ]] || echo "- A/B: OPTION = $(launcher_label "$EDGEWAY_CMD"); OPTION-b = $(launcher_label "$EDGEWAY_B_CMD")"
  echo "- each option started fresh in each of $ROUNDS rounds (rotating order); from ready, $SECS one-second wrk runs, -c$CONNECTIONS, /$SIZE; proxy on CPU $PROXY_CPU"
  echo
  python3 "$repo/bench/cold-start-summary.py" "$csv"
  echo
  echo "Raw: ${csv#"$repo"/} (one line per option, round and second)"
} | tee "$md"
