# shellcheck shell=bash
# tmp is the sourcing script's run directory (new_run_dir in common.sh).
# shellcheck disable=SC2154
# What the bench scripts share about nginx (sourced once $tmp exists, after processes.sh): the files the backend
# serves, the top of every nginx config they write, and starting one nginx.

# /small (100 B) and /16k (16,384 bytes of text), readable by nginx workers running as nobody.
make_www() {
  mkdir -p "$tmp/www" "$tmp/backend" "$tmp/nginx"
  head -c 100 /dev/zero | tr '\0' a >"$tmp/www/small"
  head -c 12288 /dev/urandom | base64 -w 0 >"$tmp/www/16k" # 16384 bytes of text
  chmod 755 "$tmp/www" && chmod 644 "$tmp/www/"*
}

# Foreground master (so $! is the master), one worker, no logs, temp files inside the run's directory,
# keep-alive never cut by a request count (HAProxy has no such limit).
nginx_common() {
  cat <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
EOF
}

# start_nginx NAME DIR CPU PORT: master + its workers (tracked), left in $nginx_pids, master first (not echoed: a
# command substitution would run it in a subshell and lose the tracking). Uses the caller's NICE and die.
start_nginx() {
  local name=$1 dir=$2 cpu=$3 p=$4 master w
  nice -n "$NICE" taskset -c "$cpu" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  master=$!
  track "$master" "$name"
  wait_until 10 "$master" port_busy "$p" || die "$name did not start: $(tail -5 "$dir/error.log" "$dir/stdout.log")"
  wait_until 5 "$master" pgrep -P "$master" >/dev/null || die "$name has no worker"
  nginx_pids="$master"
  for w in $(pgrep -P "$master"); do track "$w" "$name-worker"; nginx_pids+=" $w"; done
}
