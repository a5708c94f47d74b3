#!/usr/bin/env bash
# instance-refresh.sh against a fake aws CLI (no AWS here): the StartInstanceRefresh input it generates must
# have the shape the API accepts, and `rollback` must call the right API. Run: bash deploy/scripts/tests/instance-refresh.test.sh
# pass and fail always return 0, so `cond && pass || fail` is a plain if-then-else here.
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../instance-refresh.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" && cp "$here/fake-aws" "$work/bin/aws"
export PATH="$work/bin:$PATH" EDGEWAY_REFRESH_POLL=0
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
run() { export FAKE_AWS_LOG=$work/calls.$1; : >"$FAKE_AWS_LOG"; shift; "$script" "$@" 2>"$work/stderr"; }

# The StartInstanceRefresh request (aws autoscaling start-instance-refresh --generate-cli-skeleton input,
# API reference 2011-01-01): the only top-level and Preferences keys the API accepts, their types and the rules
# between them. Returns a list of violations.
# shellcheck disable=SC2016 # a jq program: $r, $p are jq variables
validate='
  def allowed(keys): (keys - ["AutoScalingGroupName","Strategy","DesiredConfiguration","Preferences"]);
  def pref_keys: ["MinHealthyPercentage","MaxHealthyPercentage","InstanceWarmup","CheckpointPercentages",
                  "CheckpointDelay","SkipMatching","AutoRollback","ScaleInProtectedInstances","StandbyInstances",
                  "AlarmSpecification","BakeTime"];
  . as $r | [
    (allowed($r | keys)[] | "unknown top-level key \(.)"),
    (if ($r.AutoScalingGroupName | type) != "string" then "AutoScalingGroupName not a string" else empty end),
    (if $r.Strategy != "Rolling" then "Strategy must be Rolling" else empty end),
    (($r.Preferences | keys) - pref_keys | .[] | "unknown preference \(.)"),
    ($r.Preferences as $p |
      (if ($p.MinHealthyPercentage|type) != "number" or $p.MinHealthyPercentage < 0 or $p.MinHealthyPercentage > 100 then "MinHealthyPercentage 0-100" else empty end),
      (if ($p.MaxHealthyPercentage|type) != "number" or $p.MaxHealthyPercentage < 100 or $p.MaxHealthyPercentage > 200 then "MaxHealthyPercentage 100-200" else empty end),
      (if ($p.MaxHealthyPercentage // 0) - ($p.MinHealthyPercentage // 0) > 100 then "Max - Min > 100" else empty end),
      (if ($p.MaxHealthyPercentage // 100) <= 100 then "terminates before launching (MaxHealthyPercentage <= 100)" else empty end),
      (if ($p.CheckpointPercentages|type) != "array" or ($p.CheckpointPercentages|map(type)|unique) != ["number"] then "CheckpointPercentages must be numbers" else empty end),
      (if $p.CheckpointPercentages != ($p.CheckpointPercentages|sort) or $p.CheckpointPercentages[-1] != 100 then "checkpoints must ascend to 100" else empty end),
      (if ($p.CheckpointDelay|type) != "number" then "CheckpointDelay must be a number" else empty end),
      (if ($p.AutoRollback|type) != "boolean" or ($p.SkipMatching|type) != "boolean" then "AutoRollback/SkipMatching must be booleans" else empty end),
      (if ([$p.ScaleInProtectedInstances, $p.StandbyInstances] - ["Refresh","Ignore","Wait",null]) != [] then "bad ScaleInProtected/Standby value" else empty end),
      (if $p.AlarmSpecification != null and (($p.AlarmSpecification|keys) != ["Alarms"] or ($p.AlarmSpecification.Alarms|map(type)|unique) != ["string"]) then "AlarmSpecification must be {Alarms:[string]}" else empty end),
      (if $p.AutoRollback == true then
         ($r.DesiredConfiguration.LaunchTemplate // {}) as $lt |
         (if ($lt.LaunchTemplateId|type) != "string" then "AutoRollback needs DesiredConfiguration.LaunchTemplate.LaunchTemplateId" else empty end),
         (if ($lt.Version|type) != "string" or ($lt.Version|test("^[0-9]+$")|not) then "AutoRollback needs a specific launch template Version (not $Latest/$Default)" else empty end)
       else empty end)
    ),
    (if $r.DesiredConfiguration != null and (($r.DesiredConfiguration|keys) - ["LaunchTemplate","MixedInstancesPolicy"]) != [] then "unknown DesiredConfiguration key" else empty end)
  ] | .[]'

# 1. start: defaults, alarms attached, latest version resolved.
EDGEWAY_REFRESH_ALARMS=edgeway-proxy-5xx,edgeway-proxy-unhealthy run start start web-asg || fail "start exited $?"
input=$work/calls.start.input.json
if [[ ! -s $input ]]; then fail "start: no --cli-input-json"; else
  violations=$(jq -r "$validate" "$input")
  if [[ -n $violations ]]; then fail "start: input rejected by the API shape: $violations"; else pass "start: input has the StartInstanceRefresh shape"; fi
  [[ $(jq -r .DesiredConfiguration.LaunchTemplate.Version "$input") == 8 ]] && pass "start: latest version (8) pinned" || fail "start: version not 8"
  [[ $(jq -c .Preferences.CheckpointPercentages "$input") == '[10,50,100]' ]] && pass "start: checkpoints 10,50,100" || fail "start: checkpoints"
  [[ $(jq -c .Preferences.AlarmSpecification.Alarms "$input") == '["edgeway-proxy-5xx","edgeway-proxy-unhealthy"]' ]] \
    && pass "start: alarms attached" || fail "start: alarms $(jq -c .Preferences.AlarmSpecification "$input")"
fi

# 2. start with an explicit version and no alarms: still valid (no empty AlarmSpecification).
run explicit start web-asg 5 || fail "start 5 exited $?"
input=$work/calls.explicit.input.json
violations=$(jq -r "$validate" "$input")
[[ -z $violations && $(jq -r .DesiredConfiguration.LaunchTemplate.Version "$input") == 5 ]] \
  && pass "start VERSION: valid input for version 5" || fail "start VERSION: $violations"

# 3. rollback during a refresh: RollbackInstanceRefresh, no new refresh.
FAKE_IN_PROGRESS=rid-running FAKE_STATUS=RollbackSuccessful run rollback-live rollback web-asg || fail "rollback (live) exited $?"
grep -qx rollback-instance-refresh "$work/calls.rollback-live" && pass "rollback: RollbackInstanceRefresh called" || fail "rollback: no RollbackInstanceRefresh"
grep -qx start-instance-refresh "$work/calls.rollback-live" && fail "rollback: started a new refresh" || true

# 4. rollback after a finished refresh: refresh onto the previous version (current 7 -> 6).
FAKE_CURRENT_VERSION=7 run rollback-prev rollback web-asg || fail "rollback (previous) exited $?"
input=$work/calls.rollback-prev.input.json
violations=$(jq -r "$validate" "$input" 2>/dev/null || echo "no input")
[[ -z $violations && $(jq -r .DesiredConfiguration.LaunchTemplate.Version "$input") == 6 ]] \
  && pass "rollback: refresh onto previous version 6" || fail "rollback (previous): $violations"

# 5. a failed refresh is a failed command.
if FAKE_STATUS=Failed run failed start web-asg; then fail "start returned 0 on a Failed refresh"; else pass "start: Failed refresh exits non-zero"; fi

# 6. the previous form `instance-refresh.sh ASG TIMEOUT` (still in the CI workflow) starts a valid refresh.
run legacy web-asg 100 || fail "legacy form exited $?"
violations=$(jq -r "$validate" "$work/calls.legacy.input.json" 2>/dev/null || echo "no input")
[[ -z $violations ]] && pass "legacy form: valid StartInstanceRefresh input" || fail "legacy form: $violations"

# 7. the validator itself rejects the request the old script sent (AutoRollback without DesiredConfiguration).
old='{"AutoScalingGroupName":"a","Strategy":"Rolling","Preferences":{"MinHealthyPercentage":90,"InstanceWarmup":120,"AutoRollback":true,"CheckpointPercentages":[100],"CheckpointDelay":0,"SkipMatching":false,"MaxHealthyPercentage":100}}'
[[ -n $(jq -r "$validate" <<<"$old") ]] && pass "validator rejects AutoRollback without DesiredConfiguration" || fail "validator accepted the old request"

echo "instance-refresh tests: $failures failure(s)"
exit $(( failures > 0 ))
