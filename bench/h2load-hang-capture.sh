#!/bin/bash
# Diagnostic, not a bench: run beside bench/tls-bench.sh (SCENARIOS=h2) to see why an h2load run outlives its
# -D duration. For every h2load aimed at PORT_PREFIX* that is older than AFTER seconds, it samples twice, SAMPLE
# seconds apart: the client's TCP counters (ss -tnpi) and the proxy's answered-request counter (/metrics on the
# status port STATUS_OF_<port>). Growing bytes_sent and 2xx counts after "Stopped all clients" mean h2load is
# still issuing requests and the proxy answering them (seen 2026-12-07 on fresh proxies of both builds), not
# streams the proxy left unanswered.
#   PORT_PREFIX=2040 STATUS_MAP="20403:20503 20405:20504" bench/h2load-hang-capture.sh &   (stop it by its pid)
PORT_PREFIX=${PORT_PREFIX:-2040}
STATUS_MAP=${STATUS_MAP:-}
AFTER=${AFTER:-22}
SAMPLE=${SAMPLE:-2}
OUT=${OUT:-/tmp/h2load-hang}
mkdir -p "$OUT"
answered() { # STATUS_PORT: answered 2xx requests of the proxy
  curl -s -m 3 "http://127.0.0.1:$1/metrics" | awk '/^edgeway_requests_total/ && /status_class="2xx"/ {s += $2} END {print s + 0}'
}
sent() { # PID PORT: total bytes h2load has sent on its connections to PORT
  ss -tnpi "( dport = :$2 )" | grep -A1 "pid=$1," | grep -o 'bytes_sent:[0-9]*' | cut -d: -f2 | awk '{s += $1} END {print s + 0}'
}
while true; do
  for pid in $(pgrep -x h2load); do
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    port=$(grep -o ":${PORT_PREFIX}[0-9]*/" <<<"$args" | head -1 | tr -d :/)
    [[ -n $port && ! -e $OUT/$pid ]] || continue
    (( $(ps -o etimes= -p "$pid") > AFTER )) || continue
    status=$(tr ' ' '\n' <<<"$STATUS_MAP" | awk -F: -v p="$port" '$1 == p {print $2}')
    s1=$(sent "$pid" "$port"); a1=$([[ -n $status ]] && answered "$status")
    sleep "$SAMPLE"
    s2=$(sent "$pid" "$port"); a2=$([[ -n $status ]] && answered "$status")
    ss -tnpi "( dport = :$port )" >"$OUT/$pid.ss"
    echo "$(date -u +%T) h2load $pid ($args) open connections $(grep -c "pid=$pid," "$OUT/$pid.ss")," \
      "bytes sent +$((s2 - s1)) and proxy 2xx +$(( ${a2:-0} - ${a1:-0} )) in ${SAMPLE}s" | tee "$OUT/$pid"
  done
  sleep 1
done
