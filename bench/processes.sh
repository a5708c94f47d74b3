# shellcheck shell=bash
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
    if alive "$pid" "$st"; then kill -TERM "$pid" 2>/dev/null || true; fi
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
    if alive "$pid" "$st"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
}

# stop_orphan_postgres DIR: the control plane stops its embedded PostgreSQL; if it could not, stop the one whose
# data lives under DIR (and only that one: its command line must name DIR).
stop_orphan_postgres() {
  local pid
  [[ -f $1/postgres/postmaster.pid ]] || return 0
  pid=$(head -1 "$1/postgres/postmaster.pid" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && grep -qF "$1" "/proc/$pid/cmdline" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
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

# What a process costs, from /proc. CPU ticks (utime+stime, all threads) summed over pids; fields 14/15 are
# $12/$13 once "pid (comm) " is cut. The scripts that source this define die.
cpu_ticks() {
  local pid total=0 t
  for pid; do
    t=$(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat") || die "process $pid is gone"
    total=$(( total + t ))
  done
  echo "$total"
}

# Busy ticks (everything but idle and iowait) of one CPU, from /proc/stat.
cpu_busy() { awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

rss_now() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

idle_rss() { # PID: median VmRSS (KiB) over 1 s, nothing running
  local s=()
  for _ in $(seq 1 10); do s+=("$(rss_now "$1")"); sleep 0.1; done
  printf '%s\n' "${s[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}
