#!/usr/bin/env bash
# edgeway-secrets.sh against a fake aws CLI: files land root-only, env values land in secrets.env, and a
# parameter value that would inject a second variable into systemd's EnvironmentFile= is refused.
# pass and fail always return 0, so `cond && pass || fail` is a plain if-then-else here.
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../edgeway-secrets.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" && cp "$here/fake-aws" "$work/bin/aws"
export PATH="$work/bin:$PATH" FAKE_AWS_LOG=$work/calls EDGEWAY_SECRETS_DIR=$work/secrets
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

cat >"$work/list" <<'LIST'
# kind name parameter
file master-key /edgeway/master-key
env EDGEWAY_DB_PASSWORD /edgeway/db-password
LIST
export FAKE_SSM_edgeway_master_key='c2VjcmV0LW1hc3Rlci1rZXktMzItYnl0ZXMtbG9uZyE=' FAKE_SSM_edgeway_db_password=0f1e2d3c4b5a
"$script" "$work/list" 2>/dev/null || fail "exited $?"
[[ $(cat "$work/secrets/master-key") == "$FAKE_SSM_edgeway_master_key" ]] && pass "file secret written" || fail "master-key content"
[[ $(stat -c %a "$work/secrets/master-key") == 600 && $(stat -c %a "$work/secrets") == 700 ]] \
  && pass "secret file 0600 in a 0700 directory" || fail "modes $(stat -c %a "$work/secrets/master-key") $(stat -c %a "$work/secrets")"
[[ $(cat "$work/secrets/secrets.env") == "EDGEWAY_DB_PASSWORD=$FAKE_SSM_edgeway_db_password" ]] && pass "env secret written" || fail "secrets.env: $(cat "$work/secrets/secrets.env")"

# Attack: a value with a line break would add EDGEWAY_ADMIN_ADDRESS (or anything) to the unit's environment.
rm -rf "$work/secrets"
export FAKE_SSM_edgeway_db_password=$'pw\nEDGEWAY_GRPC_INSECURE_PLAINTEXT=true'
if "$script" "$work/list" 2>/dev/null; then fail "accepted a value with a line break"; else pass "value with a line break refused"; fi
grep -rqs INSECURE "$work/secrets" && fail "injected line written" || pass "nothing injected on disk"
export FAKE_SSM_edgeway_db_password='pw" EDGEWAY_X="1'
if "$script" "$work/list" 2>/dev/null; then fail "accepted a value with quotes"; else pass "value with quotes refused"; fi

# A missing parameter fails the unit (the service does not start without its secrets) and keeps no partial set.
rm -rf "$work/secrets"; unset FAKE_SSM_edgeway_master_key; export FAKE_SSM_edgeway_db_password=ok
# No waiting between retries here (the function is exported to the script).
# shellcheck disable=SC2317
if (sleep() { :; }; export -f sleep; "$script" "$work/list") 2>/dev/null; then fail "succeeded without master-key"; else pass "missing parameter fails"; fi
[[ -z $(find "$work/secrets" -maxdepth 1 -type f 2>/dev/null) ]] && pass "no partial set written" || fail "partial set written"

echo "edgeway-secrets tests: $failures failure(s)"
exit $(( failures > 0 ))
