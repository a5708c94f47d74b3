# Sourced by local-fleet.sh: the load balancer, the steady load, `scale N` and `release VERSION`.
# Variables (root, data, state, pids, ports, edgeway) and helpers (die, ours, wait_http, wait_gone) are local-fleet.sh's.
# shellcheck disable=SC2154
# shellcheck shell=bash
#
# The local stand-in for the cloud: HAProxy on FLEET_LB_PORT (default 8090) with one server slot per possible
# proxy (20), each health-checked on its status port's /readyz every 250 ms (down after 2 failures, up after 1
# success). An absent or draining proxy is simply DOWN, so "readiness before traffic" and "drain before stop"
# are what the ASG + NLB do: a new node gets traffic only once /readyz is 200; a stopped one turns /readyz 503
# at SIGTERM and keeps serving for its drain delay (FLEET_DRAIN_DELAY, 2s > 2 x 250 ms) before it stops.
# The target behind every proxy is a small Python HTTP server (FLEET_BACKEND_PORT, default 8099).

lb_port=${FLEET_LB_PORT:-8090}
backend_port=${FLEET_BACKEND_PORT:-8099}
max_slots=20
releases=$state/releases

# The proxy offsets (0, 2, 3, 4, 6, ...): those whose proxy port is not the admin or gRPC port.
slot_offsets() {
  local n=$1 i=0 out=()
  while (( ${#out[@]} < n )); do
    local p=$(( proxy_base + i ))
    (( p != admin && p != grpc )) && out+=("$i")
    i=$(( i + 1 ))
  done
  echo "${out[@]}"
}

record() { echo "$*" >>"$pids"; }
live_proxies() { # "offset version" per running proxy, in slot order
  local name pid st ver
  [[ -s $pids ]] || return 0
  while read -r name pid st ver; do
    if [[ $name == proxy-* ]] && ours "$pid" "$st"; then echo "${name#proxy-} ${ver:-checkout}"; fi
  done <"$pids" | sort -n
}
pid_of() { awk -v n="$1" '$1 == n {print $2":"$3}' "$pids" | tail -n1; }
forget() { local tmp; tmp=$(mktemp); awk -v n="$1" '$1 != n' "$pids" >"$tmp"; mv "$tmp" "$pids"; }

lb_start() {
  local cfg=$state/haproxy.cfg i
  {
    printf 'global\n  maxconn 4096\n  stats socket %s mode 600 level admin\n' "$state/haproxy.sock"
    printf 'defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n'
    # A request that finds no connection (a node stopping) is sent to another node, never failed.
    printf '  retries 3\n  option redispatch 1\n  retry-on conn-failure empty-response response-timeout\n  option http-server-close\n'
    printf 'frontend fleet\n  bind 127.0.0.1:%s\n  default_backend proxies\n' "$lb_port"
    printf 'backend proxies\n  balance roundrobin\n  option httpchk GET /readyz\n'
    printf '  default-server inter 250ms fall 2 rise 1 init-addr none\n'
    for i in $(slot_offsets "$max_slots"); do
      printf '  server proxy-%s 127.0.0.1:%s check port %s\n' "$i" $(( proxy_base + i )) $(( status_base + i ))
    done
  } >"$cfg"
  haproxy -c -q -f "$cfg" || die "haproxy config invalid: $cfg"
  haproxy -db -f "$cfg" >"$state/haproxy.log" 2>&1 &
  record lb $! "$(start_time $!)"
  mkdir -p "$state/backend"
  printf 'hello from the fleet backend\n' >"$state/backend/index.html"
  python3 -m http.server "$backend_port" --bind 127.0.0.1 --directory "$state/backend" >"$state/backend.log" 2>&1 &
  record backend $! "$(start_time $!)"
}

# A route "/" on every proxy to the backend, through the admin API with the control plane's generated token.
route_setup() {
  local token code
  token=$(cat "$data/control-plane/admin-token")
  for body in "{\"name\":\"fleet\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":$backend_port}]}:upstreams" \
              '{"name":"fleet","paths":["/"],"upstream":"fleet"}:routes'; do
    code=$(curl -s -o "$state/api.out" -w '%{http_code}' -XPOST "http://127.0.0.1:$admin/api/v1/${body##*:}" \
      -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "${body%:*}")
    [[ $code == 2* || $code == 409 ]] || die "POST /api/v1/${body##*:}: $code $(head -c 300 "$state/api.out")"
  done
}

# The launcher of a version: the checkout's, or an unpacked release's (see release()).
launcher_of() { if [[ $1 == checkout ]]; then echo "$edgeway"; else echo "$releases/$1/opt/edgeway/edgeway"; fi; }

# launch_proxy OFFSET VERSION: starts it and returns at once (its pid is recorded).
launch_proxy() {
  local i=$1 ver=$2 cmd
  cmd=$(launcher_of "$ver")
  # Each proxy its own AppCDS archive: JVMs exiting together must not write one file at once.
  mkdir -p "$state/cds/$ver-$i"
  env EDGEWAY_PROXY_PORT=$(( proxy_base + i )) EDGEWAY_STATUS_PORT=$(( status_base + i )) EDGEWAY_TLS_PORT=0 \
    EDGEWAY_PROXY_ADDRESS=127.0.0.1 EDGEWAY_DATA_DIR="$data/proxy-$i" EDGEWAY_WORKERS="${FLEET_WORKERS:-1}" \
    EDGEWAY_DRAIN_DELAY="${FLEET_DRAIN_DELAY:-2s}" EDGEWAY_DRAIN_TIMEOUT=30s EDGEWAY_CDS_DIR="$state/cds/$ver-$i" \
    EDGEWAY_JOIN_TOKEN_FILE="$data/control-plane/bootstrap-join-token" \
    nohup "$cmd" dataplane --control-plane "127.0.0.1:$grpc" >>"$state/proxy-$i.log" 2>&1 &
  record "proxy-$i" $! "$(start_time $!)" "$ver"
}

# wait_ready OFFSET: until /readyz is 200 (config applied) and the LB has had time to see it (one check interval).
wait_ready() {
  local i=$1 entry
  entry=$(pid_of "proxy-$i")
  wait_http "http://127.0.0.1:$(( status_base + i ))/readyz" "${FLEET_READY_TIMEOUT:-300}" "${entry%%:*}" || die "proxy-$i not ready; see $state/proxy-$i.log"
  sleep 0.3
}

# stop_proxies OFFSET...: SIGTERM all (drain), wait until gone, forget them.
stop_proxies() {
  local i entry live=()
  for i in "$@"; do
    entry=$(pid_of "proxy-$i")
    kill -TERM "${entry%%:*}" 2>/dev/null && live+=("$entry")
  done
  # 90 s: drain delay + drain timeout (32 s) + the JVM writing its AppCDS archive on a loaded machine.
  wait_gone 90 "${live[@]}"
  for i in "$@"; do forget "proxy-$i"; done
}

now_ms() { date +%s%3N; }
secs() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }

scale() {
  local n=$1 t0 cur=() ver i new=() t
  [[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le $(( max_slots / 2 )) ]] || die "N: $n (expected: 1-$(( max_slots / 2 )))"
  t0=$(now_ms)
  mapfile -t cur < <(live_proxies)
  if (( n > ${#cur[@]} )); then
    ver=$( (( ${#cur[@]} )) && echo "${cur[-1]#* }" || echo checkout)
    local used=" ${cur[*]%% *} "
    for i in $(slot_offsets "$max_slots"); do
      (( ${#new[@]} + ${#cur[@]} >= n )) && break
      [[ $used == *" $i "* ]] && continue
      launch_proxy "$i" "$ver"; new+=("$i:$(now_ms)")
    done
    for t in "${new[@]}"; do
      wait_ready "${t%%:*}"
      echo "  proxy-${t%%:*} ($ver): launch to ready $(secs $(( $(now_ms) - ${t#*:} ))) s"
    done
  elif (( n < ${#cur[@]} )); then
    local gone=()
    for (( i = ${#cur[@]} - 1; i >= n; i-- )); do gone+=("${cur[i]%% *}"); done
    stop_proxies "${gone[@]}"
    echo "  drained and stopped: ${gone[*]/#/proxy-}"
  fi
  echo "scale ${#cur[@]} -> $n: $(secs $(( $(now_ms) - t0 ))) s"
}

# release VERSION [TARBALL]: unpack the release tarball (default: packaging/target/edgeway-*.tar.gz) as VERSION
# (its VERSION file relabelled: the same build under a new version string), then replace every proxy in
# checkpoints of 10, 50 and 100 % of the fleet: launch the new node, wait until it is ready, only then drain
# and stop an old one.
release() {
  local ver=$1 tarball=${2:-} cur=() n pct want done_n=0 t0 tc i t
  [[ $ver =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || die "VERSION: $ver"
  [[ -n $tarball ]] || tarball=$(compgen -G "$root/packaging/target/edgeway-*.tar.gz" | head -n1 || true)
  [[ -f $tarball ]] || die "no release tarball (mvn -DskipTests package builds packaging/target/edgeway-*.tar.gz)"
  if [[ ! -x $releases/$ver/opt/edgeway/edgeway ]]; then
    mkdir -p "$releases/$ver" && tar -xzf "$tarball" -C "$releases/$ver"
    echo "$ver" >"$releases/$ver/opt/edgeway/VERSION"
  fi
  [[ $("$(launcher_of "$ver")" --version) == "edgeway $ver" ]] || die "release $ver: its launcher reports another version"
  mapfile -t cur < <(live_proxies)
  n=${#cur[@]}
  (( n > 0 )) || die "no proxies running"
  t0=$(now_ms)
  for pct in 10 50 100; do
    want=$(( (n * pct + 99) / 100 ))
    tc=$(now_ms)
    while (( done_n < want )); do
      local old=${cur[done_n]%% *} used slot=""
      used=" $(live_proxies | awk '{print $1}' | tr '\n' ' ') "
      for i in $(slot_offsets "$max_slots"); do [[ $used == *" $i "* ]] || { slot=$i; break; }; done
      [[ -n $slot ]] || die "no free slot"
      t=$(now_ms); launch_proxy "$slot" "$ver"; wait_ready "$slot"
      echo "  proxy-$slot ($ver): launch to ready $(secs $(( $(now_ms) - t ))) s; draining proxy-$old (${cur[done_n]#* })"
      stop_proxies "$old"
      done_n=$(( done_n + 1 ))
    done
    echo "checkpoint $pct %: $done_n of $n nodes on $ver, $(secs $(( $(now_ms) - tc ))) s"
  done
  echo "release $ver: $(secs $(( $(now_ms) - t0 ))) s"
}

# A steady load through the LB: FLEET_LOAD_CLIENTS curl loops, one request at a time each; every status code
# goes to a file, so failures (anything but 200, including curl's 000 for no answer) are counted exactly.
load_start() {
  local c
  : >"$state/load.codes"
  for (( c = 0; c < ${FLEET_LOAD_CLIENTS:-4}; c++ )); do
    ( while [[ -f $state/load.on ]]; do
        curl -s -o /dev/null -m 10 -w '%{http_code}\n' "http://127.0.0.1:$lb_port/" || true
      done >>"$state/load.codes" ) &
    record "load-$c" $! "$(start_time $!)"
  done
}
load_report() {
  local total ok snap=$state/load.snapshot
  # one copy, counted twice: the loops keep appending to the live file
  cp "$state/load.codes" "$snap"
  total=$(grep -c . "$snap" || true)
  ok=$(grep -c '^200$' "$snap" || true)
  echo "load: $total requests, $(( total - ok )) failed (by status:$(sort "$snap" | uniq -c | tr -s ' ' | tr '\n' ';'))"
}

# demo [VERSION]: the whole exercise under load: 3 proxies, scale to 6, scale to 2, release VERSION.
demo() {
  local ver=${1:-0.1.1-local} t0
  [[ -s $pids ]] || start 3
  t0=$(now_ms)
  lb_start
  route_setup
  wait_http "http://127.0.0.1:$lb_port/" 30 "$(pid_of lb | cut -d: -f1)" || die "the LB does not answer 200 on /"
  touch "$state/load.on"; load_start
  sleep 5; load_report
  scale 6; load_report
  sleep 3; scale 2; load_report
  sleep 3; release "$ver"
  sleep 3; rm -f "$state/load.on"; sleep 1.5
  load_report
  echo "demo: $(secs $(( $(now_ms) - t0 ))) s in all; proxies now: $(live_proxies | tr '\n' ' ')"
}
