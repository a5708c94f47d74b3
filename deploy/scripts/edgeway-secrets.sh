#!/usr/bin/env bash
# Fetch Edgeway's secrets from SSM Parameter Store (SecureString, KMS) into a root-only directory on tmpfs, at
# every boot (edgeway-secrets.service, baked into the AMI by deploy/packer). Nothing secret is ever on disk, in
# user data or in a file under /etc: the units read these files through systemd LoadCredential= (files) and
# EnvironmentFile= (the two settings the control plane reads only from its environment).
#
#   edgeway-secrets.sh [LIST]   LIST defaults to /etc/edgeway/secrets.list (written by cloud-init; no values):
#     file NAME PARAMETER   ->  $dir/NAME              (e.g. file master-key /edgeway/master-key)
#     env  VAR  PARAMETER   ->  VAR=value in $dir/secrets.env (e.g. env EDGEWAY_DB_PASSWORD /edgeway/db-password)
# Settings: EDGEWAY_SECRETS_DIR (default /run/edgeway/secrets), AWS_REGION (default: the aws CLI's own lookup).
set -euo pipefail
umask 077

list=${1:-/etc/edgeway/secrets.list}
dir=${EDGEWAY_SECRETS_DIR:-/run/edgeway/secrets}

log() { echo "edgeway-secrets: $*" >&2; }
die() { log "$*"; exit 1; }

# Bounded retries: a fresh instance role can take a few seconds to become usable.
get_parameter() {
  local attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if aws ssm get-parameter --with-decryption --name "$1" --query Parameter.Value --output text; then
      return 0
    fi
    log "get-parameter $1 failed (attempt $attempt)"
    sleep 3
  done
  return 1
}

install -d -m 0700 "$dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/secrets.env"

while read -r kind name parameter extra; do
  [[ -z $kind || $kind == \#* ]] && continue
  [[ -n ${extra:-} || -z ${parameter:-} ]] && die "malformed line: $kind $name ..."
  [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "bad name: $name"
  value=$(get_parameter "$parameter") || die "cannot read $parameter"
  [[ -n $value ]] || die "$parameter is empty"
  case $kind in
    file) printf '%s\n' "$value" >"$tmp/$name" ;;
    env)
      # systemd's EnvironmentFile= interprets quotes, backslashes and line breaks: a value with any of them
      # could set a second variable, so refuse it instead of escaping it. (openssl rand -hex/-base64 never
      # produce them.)
      [[ $name =~ ^EDGEWAY_[A-Z0-9_]+$ ]] || die "bad variable name: $name"
      [[ $value =~ ^[A-Za-z0-9+/=._~:@%-]+$ ]] || die "$parameter: value must be one word of [A-Za-z0-9+/=._~:@%-]"
      printf '%s=%s\n' "$name" "$value" >>"$tmp/secrets.env"
      ;;
    *) die "unknown kind: $kind" ;;
  esac
done <"$list"

# Replace the previous set only once every parameter has been read.
for f in "$tmp"/*; do
  mv -f "$f" "$dir/"
done
log "wrote $(find "$dir" -maxdepth 1 -type f | wc -l) files to $dir"
