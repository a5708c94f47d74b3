# Process bookkeeping and waiting shared by the bench scripts (sourced): only what a script started is ever
# signalled.
# Each entry is "pid:starttime:name"; the start time guards against a recycled PID.
started=()

start_time() { awk '{sub(/.*\) /, ""); print $20}' "/proc/$1/stat" 2>/dev/null; } # field 22 = starttime
track() { started+=("$1:$(start_time "$1"):$2"); }
alive() { [[ -n $2 && $(start_time "$1") == "$2" ]]; }

# SIGTERM everything tracked, wait up to 45 s (Edgeway drains: delay + requests in flight), SIGKILL the rest.
stop_tracked() {
  local entry pid st deadline left
  for entry in "${started[@]}"; do
    IFS=: read -r pid st _ <<<"$entry"
    alive "$pid" "$st" && kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$(( $(date +%s) + 45 ))
  while (( $(date +%s) < deadline )); do
    left=0
    for entry in "${started[@]}"; do
      IFS=: read -r pid st _ <<<"$entry"
      alive "$pid" "$st" && left=1
    done
    (( left )) || break
    sleep 0.2
  done
  for entry in "${started[@]}"; do
    IFS=: read -r pid st _ <<<"$entry"
    alive "$pid" "$st" && kill -KILL "$pid" 2>/dev/null || true
  done
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until SECONDS PID CMD...: run CMD until it succeeds; fail if PID dies or time runs out.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )) pid=$2
  shift 2
  while (( $(date +%s) < deadline )); do
    "$@" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
