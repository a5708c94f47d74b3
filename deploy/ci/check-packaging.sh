#!/usr/bin/env bash
# Installs the release .deb on this machine and proves it works as installed, then purges it.
#   deploy/ci/check-packaging.sh [path/to/edgeway_<version>_all.deb]   (default: deploy/packaging/target/, built if absent)
#
# 1. SHA256SUMS next to the .deb matches; `dpkg -i` into the real system (root, or sudo when available).
# 2. `edgeway --version` from /usr/bin prints the package's version; the edgeway user exists (sysusers.d).
# 3. `systemd-analyze verify` on the installed units (the paths they reference are installed now).
# 4. Control plane and proxy start as the edgeway user with their units' environment: under systemd (PID 1) with
#    systemctl; otherwise (a container) by running the launcher as edgeway with the units' Environment= lines,
#    state and cache directories as StateDirectory=/CacheDirectory= would make them, and the secrets handed over as
#    credentials ($CREDENTIALS_DIRECTORY). The proxy joins the control plane with the join-token credential and
#    turns ready; after its clean stop the AppCDS archive must be in /var/cache/edgeway, nowhere else.
# 5. `dpkg --purge`, and what this check created (state, cache, the user if it was new) is removed.
# Ports: free ephemeral ones on 127.0.0.1. Prints the duration at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "check-packaging: needs root or sudo" >&2; exit 1; fi; }
log() { echo "check-packaging: $*"; }
fail() { echo "check-packaging: FAIL: $*" >&2; exit 1; }

deb=${1:-}
if [[ -z $deb ]]; then
  deb=$(compgen -G 'deploy/packaging/target/edgeway_*_all.deb' | head -n1 || true)
  if [[ -z $deb ]]; then
    log "no .deb in deploy/packaging/target: building it (mvn -B -q -DskipTests package)"
    mvn -B -q -DskipTests package
    deb=$(compgen -G 'deploy/packaging/target/edgeway_*_all.deb' | head -n1)
  fi
fi
deb=$(readlink -f "$deb")
sums=$(dirname "$deb")/SHA256SUMS
if [[ -f $sums ]]; then
  (cd "$(dirname "$deb")" && grep " $(basename "$deb")\$" SHA256SUMS | sha256sum -c --quiet -) || fail "checksum of $deb"
  log "checksum ok: $(basename "$deb")"
fi
deb_version=$(dpkg-deb -f "$deb" Version)

user_was_there=no
getent passwd edgeway >/dev/null && user_was_there=yes
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -n ${dp_java:-} ]] && stop_jvm "$dp_java" 60
  [[ -n ${cp_java:-} ]] && stop_jvm "$cp_java" 60
  as_root rm -f /etc/edgeway/credentials/admin-token /etc/edgeway/credentials/join-token
  if dpkg-query -W -f='${Status}' edgeway 2>/dev/null | grep -q installed; then as_root dpkg --purge edgeway >/dev/null; fi
  as_root rm -rf /var/lib/edgeway /var/cache/edgeway /var/log/edgeway "${creds:-/nonexistent}"
  if [[ $user_was_there == no ]] && getent passwd edgeway >/dev/null; then as_root userdel edgeway 2>/dev/null || true; fi
}
trap cleanup EXIT

# 1. install
as_root dpkg -i "$deb" >/dev/null
log "installed edgeway $deb_version"

# 2. version and user
printed=$(/usr/bin/edgeway --version)
[[ $printed == "edgeway $(cat /opt/edgeway/VERSION)" ]] || fail "edgeway --version printed '$printed'"
# Debian's form of the Maven version: 0.1.0-SNAPSHOT is 0.1.0~SNAPSHOT in the package
[[ ${printed#edgeway } == "${deb_version//\~/-}" ]] || fail "edgeway --version '$printed' is not the package's $deb_version"
log "edgeway --version: $printed"
getent passwd edgeway >/dev/null || fail "no edgeway user after install (sysusers.d)"
log "user: $(getent passwd edgeway)"

# 3. units
units=(/lib/systemd/system/edgeway-control-plane.service /lib/systemd/system/edgeway-dataplane.service
       /lib/systemd/system/edgeway-lifecycle-drain.service)
out=$(systemd-analyze verify "${units[@]}" 2>&1) || fail "systemd-analyze verify: $out"
[[ -z $out ]] || fail "systemd-analyze verify said: $out"
log "systemd-analyze verify: clean (${#units[@]} units)"

stop_jvm() { # pid seconds
  local i
  as_root kill -TERM "$1" 2>/dev/null || return 0
  for ((i = 0; i < $2 * 4; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
  return 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
admin=$(free_port) grpc=$(free_port) proxy=$(free_port) status=$(free_port)
wait_http() { # url seconds pid
  local i
  for ((i = 0; i < $2 * 4; i++)); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

# 4. run as the edgeway user
if [[ $(ps -p 1 -o comm=) == systemd ]]; then
  log "systemd is PID 1: starting the units"
  as_root install -d -m 0755 /etc/systemd/system/edgeway-control-plane.service.d /etc/systemd/system/edgeway-dataplane.service.d
  printf '[Service]\nEnvironment=EDGEWAY_ADMIN_PORT=%s EDGEWAY_GRPC_PORT=%s EDGEWAY_GRPC_ADDRESS=127.0.0.1 EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE=/var/lib/edgeway/control-plane/bootstrap-join-token\n' "$admin" "$grpc" |
    as_root tee /etc/systemd/system/edgeway-control-plane.service.d/check.conf >/dev/null
  printf '[Service]\nEnvironment=EDGEWAY_CONTROL_PLANE=127.0.0.1:%s EDGEWAY_PROXY_PORT=%s EDGEWAY_STATUS_PORT=%s EDGEWAY_PROXY_ADDRESS=127.0.0.1\n' "$grpc" "$proxy" "$status" |
    as_root tee /etc/systemd/system/edgeway-dataplane.service.d/check.conf >/dev/null
  as_root systemctl daemon-reload
  as_root systemctl start edgeway-control-plane
  for _ in $(seq 1 120); do as_root test -s /var/lib/edgeway/control-plane/bootstrap-join-token && break; sleep 0.5; done
  as_root install -m 0600 /var/lib/edgeway/control-plane/bootstrap-join-token /etc/edgeway/credentials/join-token
  as_root systemctl start edgeway-dataplane
  # Up to 120 s: the warm-up alone may hold /readyz at 503 for its 60 s default bound (issue 21), then tears down.
  for _ in $(seq 1 480); do curl -sf -o /dev/null "http://127.0.0.1:$status/readyz" && break; sleep 0.25; done
  curl -sf -o /dev/null "http://127.0.0.1:$status/readyz" || fail "proxy not ready under systemd"
  [[ $(ps -o user= -p "$(systemctl show -p MainPID --value edgeway-dataplane)") == edgeway ]] || fail "proxy not running as edgeway"
  as_root systemctl stop edgeway-dataplane edgeway-control-plane
  as_root rm -rf /etc/systemd/system/edgeway-control-plane.service.d /etc/systemd/system/edgeway-dataplane.service.d
else
  log "PID 1 is $(ps -p 1 -o comm=), not systemd: running the launcher as edgeway with the units' environment"
  # What StateDirectory=, CacheDirectory= and LogsDirectory= would make: owned by the service user, 0755.
  as_root install -d -o edgeway -g edgeway -m 0755 /var/lib/edgeway /var/cache/edgeway /var/log/edgeway
  # What LoadCredential= would make: a private copy of /etc/edgeway/credentials, readable by the service user only.
  creds=$(mktemp -d /run/edgeway-check-creds.XXXXXX)
  admin_token=$(openssl rand -hex 24)
  printf '%s\n' "$admin_token" | as_root tee /etc/edgeway/credentials/admin-token >/dev/null
  as_root chmod 0600 /etc/edgeway/credentials/admin-token
  as_root install -o edgeway -g edgeway -m 0400 /etc/edgeway/credentials/admin-token "$creds/edgeway_admin-token"
  as_root chown edgeway:edgeway "$creds" && as_root chmod 0500 "$creds"
  # The unit's Environment= lines, with the specifiers it uses (%S state, %C cache) expanded.
  unit_env() { sed -n 's/^Environment=//p' "$1" | sed 's#%S#/var/lib#g; s#%C#/var/cache#g'; }
  run_as_edgeway() { # unit, extra env..., -- command...
    local unit=$1; shift
    local extra=()
    while [[ $1 != -- ]]; do extra+=("$1"); shift; done; shift
    mapfile -t envs < <(unit_env "$unit")
    as_root env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${envs[@]}" "${extra[@]}" CREDENTIALS_DIRECTORY="$creds" \
      setpriv --reuid=edgeway --regid=edgeway --init-groups --inh-caps=-all bash -c 'umask 0027; exec "$@"' - "$@"
  }
  run_as_edgeway "${units[0]}" EDGEWAY_ADMIN_PORT="$admin" EDGEWAY_GRPC_PORT="$grpc" EDGEWAY_GRPC_ADDRESS=127.0.0.1 \
    EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE=/var/lib/edgeway/control-plane/bootstrap-join-token \
    -- /usr/bin/edgeway control-plane >/tmp/edgeway-check-cp.log 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$admin/healthz" 120 "${pids[0]}" || { tail -20 /tmp/edgeway-check-cp.log; fail "control plane did not start"; }
  # The admin token came from the credential: it is accepted (an unknown token gets 401).
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin_token" "http://127.0.0.1:$admin/api/v1/nodes")
  [[ $code == 200 ]] || fail "admin token from the credential file: GET /api/v1/nodes answered $code"
  cp_java=$(pgrep -u edgeway -f '/opt/edgeway/control-plane/target/' | head -n1)
  [[ $(ps -o user= -p "$cp_java") == edgeway ]] || fail "control-plane JVM runs as $(ps -o user= -p "$cp_java")"
  log "control plane up, JVM pid $cp_java runs as edgeway; admin token from the credential accepted"
  for _ in $(seq 1 120); do as_root test -s /var/lib/edgeway/control-plane/bootstrap-join-token && break; sleep 0.5; done
  as_root install -o edgeway -g edgeway -m 0400 /var/lib/edgeway/control-plane/bootstrap-join-token "$creds/edgeway_join-token"
  # the unit's ExecStart, whose ${EDGEWAY_CONTROL_PLANE} systemd expands (single quotes: the inner shell does here)
  # shellcheck disable=SC2016
  run_as_edgeway "${units[1]}" EDGEWAY_CONTROL_PLANE="127.0.0.1:$grpc" EDGEWAY_PROXY_PORT="$proxy" EDGEWAY_STATUS_PORT="$status" \
    EDGEWAY_PROXY_ADDRESS=127.0.0.1 EDGEWAY_TLS_PORT=0 \
    -- bash -c 'exec /usr/bin/edgeway dataplane --control-plane "$EDGEWAY_CONTROL_PLANE"' >/tmp/edgeway-check-dp.log 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$status/readyz" 120 "${pids[1]}" || { tail -20 /tmp/edgeway-check-dp.log; fail "proxy not ready"; }
  dp_java=$(pgrep -u edgeway -f '/opt/edgeway/proxy-dataplane/target/' | head -n1)
  [[ $(ps -o user= -p "$dp_java") == edgeway ]] || fail "proxy JVM runs as $(ps -o user= -p "$dp_java")"
  log "proxy joined with the join-token credential and is ready, JVM pid $dp_java runs as edgeway"
  # SIGTERM to the JVMs themselves (the background jobs are the sudo/env/setpriv chain around them), as systemd's
  # KillMode=mixed does; the proxy drains, exits 0 and writes the archive on its way out.
  stop_jvm "$dp_java" 60 || fail "proxy did not stop within 60 s of SIGTERM"
  stop_jvm "$cp_java" 60 || fail "control plane did not stop within 60 s of SIGTERM"
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
fi

# The archive: in the cache directory, owned by edgeway; the read-only install directory untouched.
jsa=$(compgen -G '/var/cache/edgeway/dataplane-*.jsa' | head -n1 || true)
[[ -n $jsa ]] || fail "no AppCDS archive in /var/cache/edgeway after the proxy's clean stop"
[[ $(stat -c %U "$jsa") == edgeway ]] || fail "$jsa is owned by $(stat -c %U "$jsa")"
[[ -z $(find /opt/edgeway -name '*.jsa' -print -quit) ]] || fail "an AppCDS archive was written under /opt/edgeway"
log "AppCDS archive: $jsa ($(stat -c %s "$jsa") bytes, owner edgeway)"
[[ -d /var/lib/edgeway/dataplane && -d /var/lib/edgeway/control-plane ]] || fail "data directories not under /var/lib/edgeway"
log "data: $(as_root ls /var/lib/edgeway | tr '\n' ' ')"

# 5. purge (the credentials this check wrote first: dpkg leaves a directory with an operator's files in it)
as_root rm -f /etc/edgeway/credentials/admin-token /etc/edgeway/credentials/join-token
as_root dpkg --purge edgeway >/dev/null
[[ ! -e /usr/bin/edgeway && ! -e /opt/edgeway/edgeway ]] || fail "files left after purge"
log "purged"
log "OK in $(( $(date +%s) - started )) s"
