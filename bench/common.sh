# shellcheck shell=bash
# What the bench scripts check and set up alike (sourced right after a script defines log and die, before its
# checks): argument and tool checks, the run's private directory, the EXIT trap that stops only what the run
# started, free ports, a private copy of the jars. It sources processes.sh (process bookkeeping and waits).
# The variables it reads (repo, tmp, cp_admin, cp_grpc, NICE, LOAD_CPU, EDGEWAY_CMD) are the sourcing script's.
# shellcheck disable=SC2154
# shellcheck source=processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

# need_positive VAR...: each named variable holds a positive integer.
need_positive() {
  local v
  for v; do [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v: ${!v} (expected: a positive integer)"; done
}

need_nice() { [[ $NICE =~ ^-?[0-9]+$ ]] || die "NICE: $NICE (expected: -20..19)"; }

# The proxy under test runs alone on one CPU and everything else on the other: fewer CPUs measure nothing.
need_two_cpus() { (( $(nproc) >= 2 )) || die "needs 2 CPUs (proxy on one, load on the other); this machine has $(nproc)"; }

# need_tools HINT TOOL...: every TOOL is on the PATH, else die naming it, with HINT (where to get it).
need_tools() {
  local hint=$1 t
  shift
  for t; do command -v "$t" >/dev/null || die "missing $t ($hint)"; done
}

# new_run_dir NAME: sets tmp to a fresh /tmp/edgeway-NAME.XXXXXX, one per run (never shared with another run or
# user), readable by nginx workers, which run as nobody and read their files from it.
new_run_dir() {
  tmp=$(mktemp -d "/tmp/edgeway-$1.XXXXXX")
  chmod 755 "$tmp"
}

# The EXIT trap (install_cleanup): stops what this run started and only that, the control plane's embedded
# PostgreSQL if it outlived the control plane, and keeps the run directory of a failed run for its logs.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_tracked
  stop_orphan_postgres "$tmp/cp"
  if (( rc == 0 )); then rm -rf "$tmp"; else log "logs kept in $tmp"; fi
  exit "$rc"
}
install_cleanup() {
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

# ports_free PORT...: none is in use (fixed ports collide between runs; BASE_PORT moves them all).
ports_free() {
  local p
  for p; do port_busy "$p" && die "port $p is in use (set BASE_PORT to move all ports)"; done
  return 0
}

# copy_jars HOME DEST: both sides' jars and lib/ from HOME/*/target into DEST, so that a rebuild during the run
# cannot change what runs; points cp_jar and dp_jar (found under HOME) at their copies.
copy_jars() {
  local m
  for m in control-plane proxy-dataplane; do
    mkdir -p "$2/$m/target"
    cp -r "$1/$m/target/"*.jar "$1/$m/target/lib" "$2/$m/target/"
  done
  cp_jar=$2/control-plane/target/$(basename "$cp_jar")
  dp_jar=$2/proxy-dataplane/target/$(basename "$dp_jar")
}

# find_jars HOME: sets cp_jar and dp_jar to the jars built under HOME (empty when there are none).
find_jars() {
  cp_jar=$(compgen -G "$1/control-plane/target/edgeway-control-plane-*.jar" | head -n1 || true)
  dp_jar=$(compgen -G "$1/proxy-dataplane/target/edgeway-proxy-dataplane-*.jar" | head -n1 || true)
}

# start_control_plane [FAIL]: the control plane through the launcher ($EDGEWAY_CMD, run from $repo) at NICE on
# LOAD_CPU, idle during the runs: data in $tmp/cp, admin API on $cp_admin, gRPC on $cp_grpc, and an admin token
# chosen for this run (admin_token) rather than read from a generated file. Sets cp_pid and waits until it is
# healthy: a first start initialises the embedded PostgreSQL, so up to 3 minutes. FAIL (default die) reports.
start_control_plane() {
  local fail=${1:-die}
  admin_token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (cd "$repo" && EDGEWAY_DATA_DIR="$tmp/cp" EDGEWAY_ADMIN_PORT=$cp_admin EDGEWAY_GRPC_PORT=$cp_grpc \
    EDGEWAY_ADMIN_TOKEN=$admin_token EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE="$tmp/cp/bootstrap-join-token" \
    exec nice -n "$NICE" taskset -c "$LOAD_CPU" "$EDGEWAY_CMD" control-plane) >"$tmp/control-plane.log" 2>&1 &
  cp_pid=$!
  track "$cp_pid" control-plane
  wait_until 180 "$cp_pid" curl -sf -m 2 -o /dev/null "http://127.0.0.1:$cp_admin/healthz" \
    || "$fail" "control plane not healthy: $(tail -20 "$tmp/control-plane.log")"
}

# api PATH JSON: POSTs JSON to the control plane's admin API (start_control_plane); dies unless it answers 2xx.
api() {
  local code
  code=$(curl -s -m 10 -o "$tmp/api.out" -w '%{http_code}' -XPOST "http://127.0.0.1:$cp_admin$1" \
    -H "Authorization: Bearer $admin_token" -H 'content-type: application/json' -d "$2") || true
  [[ $code == 2* ]] || die "POST $1 -> $code: $(head -c 300 "$tmp/api.out")"
}

# launcher_ready CMD FAIL: CMD is an executable launcher whose proxy jar exists and is newer than every source of
# its checkout (else the launcher would rebuild in the middle of the run, on the load CPU, and the start would time
# out); FAIL (die, or the script's own reporter) says why not. BENCH_ALLOW_BUILD=1 skips the source check.
launcher_ready() {
  local cmd=$1 fail=$2 home jar
  [[ -x $cmd ]] || "$fail" "no launcher at $cmd"
  home=$(cd "$(dirname "$(readlink -f "$cmd")")" && pwd)
  jar=$(compgen -G "$home/proxy-dataplane/target/edgeway-proxy-dataplane-*.jar" | head -n1 || true)
  [[ -n $jar ]] || "$fail" "no proxy jar under $home (run its ./edgeway build)"
  if [[ -f $home/pom.xml && ${BENCH_ALLOW_BUILD:-0} != 1 ]] && [[ -n $(find "$home" -path '*/target' -prune -o \( \
      -name '*.java' -o -name pom.xml -o -name '*.proto' -o -path '*/resources/*' \) -newer "$jar" -print -quit) ]]; then
    "$fail" "sources under $home are newer than its jars (the launcher would rebuild during the run): run its ./edgeway build"
  fi
  return 0
}

# launcher_label CMD: the launcher and the commit of its checkout, for a summary's header (which build was A, which B).
launcher_label() {
  local home
  home=$(dirname "$(readlink -f "$1")")
  echo "$1 ($(git -C "$home" describe --always --dirty 2>/dev/null || echo 'not a git checkout'))"
}

# warm_slices SECONDS SHAPES RUN TARGET...: uncounted load before round 1, SECONDS for each of SHAPES (the words of
# the load shapes the rounds will measure, e.g. "keepalive:small h2:16k"), given in slices of at most 10 s that
# rotate through the shapes and, within a shape, through the TARGETs (the JIT-compiled proxies: edgeway, and
# edgeway-b in an A/B run): the JIT sees the same mix of code paths as the rounds (a shape warmed last cannot
# deoptimise one warmed first and left), each slice opens and closes its connections, and A and B are warmed
# alike, side by side in time. RUN SHAPE TARGET SLICE_SECONDS runs one slice (the script's own load function).
warm_slices() {
  local total=$1 shapes=$2 run=$3 done_s=0 slice shape t
  shift 3
  (( total > 0 )) || return 0
  while (( done_s < total )); do
    slice=$(( total - done_s < 10 ? total - done_s : 10 ))
    for shape in $shapes; do
      for t; do
        log "warm-up $t $shape ${slice}s ($((done_s + slice)) of ${total}s, not counted)"
        "$run" "$shape" "$t" "$slice"
      done
    done
    done_s=$(( done_s + slice ))
  done
}
