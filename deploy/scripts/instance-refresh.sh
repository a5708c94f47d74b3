#!/usr/bin/env bash
# Roll an Auto Scaling group onto a launch template version, or roll it back; waits for the result.
#
#   instance-refresh.sh start    ASG [VERSION]   roll onto VERSION (default: the launch template's latest)
#   instance-refresh.sh rollback ASG [VERSION]   a refresh in progress: RollbackInstanceRefresh (back to the
#                                                version it started from); none: roll onto VERSION (default:
#                                                the version the group runs minus one)
# Settings (environment):
#   EDGEWAY_REFRESH_ALARMS       comma-separated CloudWatch alarm names (Terraform output refresh_alarm_names);
#                                one in ALARM during the refresh rolls it back
#   EDGEWAY_REFRESH_CHECKPOINTS  default 10,50,100 (percent of the group replaced before each pause)
#   EDGEWAY_REFRESH_CHECKPOINT_DELAY  seconds paused at each checkpoint (default 300: alarms get time to fire)
#   EDGEWAY_REFRESH_MAX_HEALTHY  capacity allowed during the refresh, % (default 110; 150 for 2 replicas)
#   (Terraform's refresh_env outputs give the first four for each group.)
#   EDGEWAY_REFRESH_TIMEOUT_MIN  give up waiting after this many minutes (default 120)
#   EDGEWAY_REFRESH_POLL         seconds between status polls (default 30)
#
# Launch before terminate (MinHealthyPercentage 100, MaxHealthyPercentage > 100): capacity never drops. Each
# replaced instance is drained through the lifecycle hook. AutoRollback needs DesiredConfiguration with a
# specific launch template version (not $Latest/$Default), which is why the version is always resolved here.
# Exit 0 only when the refresh (or the rollback) succeeded.
set -euo pipefail

usage() { sed -n '2,9p' "$0" >&2; exit 2; }
log() { echo "instance-refresh: $*" >&2; }

# The previous interface, `instance-refresh.sh ASG [TIMEOUT_MINUTES]` (deploy/ci/workflow.yml), means start.
if [[ $# -ge 1 && $# -le 2 && $1 != start && $1 != rollback && $1 != -* ]]; then
  log "deprecated form: use 'instance-refresh.sh start $1'"
  EDGEWAY_REFRESH_TIMEOUT_MIN=${2:-${EDGEWAY_REFRESH_TIMEOUT_MIN:-}}
  set -- start "$1"
fi
action=${1:-}
asg=${2:-}
if [[ $action != start && $action != rollback ]] || [[ -z $asg ]]; then usage; fi
version=${3:-}
[[ -z $version || $version =~ ^[1-9][0-9]*$ ]] || { log "VERSION must be a launch template version number"; exit 2; }

checkpoints=${EDGEWAY_REFRESH_CHECKPOINTS:-10,50,100}
[[ $checkpoints =~ ^[0-9]+(,[0-9]+)*$ && $checkpoints =~ (^|,)100$ ]] || { log "checkpoints must end with 100"; exit 2; }
checkpoint_delay=${EDGEWAY_REFRESH_CHECKPOINT_DELAY:-300}
max_healthy=${EDGEWAY_REFRESH_MAX_HEALTHY:-110}
if ! [[ $max_healthy =~ ^[0-9]+$ ]] || (( max_healthy <= 100 || max_healthy > 200 )); then
  log "EDGEWAY_REFRESH_MAX_HEALTHY: 101-200 (launch before terminate)"; exit 2
fi
timeout_min=${EDGEWAY_REFRESH_TIMEOUT_MIN:-120}
poll=${EDGEWAY_REFRESH_POLL:-30}

# The group's launch template id and the version it runs now.
read -r lt_id current < <(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$asg" \
  --query 'AutoScalingGroups[0].[LaunchTemplate.LaunchTemplateId,LaunchTemplate.Version]' --output text)
[[ $lt_id == lt-* ]] || { log "$asg has no launch template"; exit 1; }

in_progress() {
  aws autoscaling describe-instance-refreshes --auto-scaling-group-name "$asg" \
    --query "InstanceRefreshes[?Status=='Pending'||Status=='InProgress'||Status=='Baking'].InstanceRefreshId | [0]" \
    --output text
}

wait_for() {
  local id=$1 deadline status pct
  deadline=$(( $(date +%s) + timeout_min * 60 ))
  while (( $(date +%s) < deadline )); do
    read -r status pct < <(aws autoscaling describe-instance-refreshes --auto-scaling-group-name "$asg" \
      --instance-refresh-ids "$id" --query 'InstanceRefreshes[0].[Status,PercentageComplete]' --output text)
    log "$(date -u +%T) $asg $id $status ${pct}%"
    case $status in
      Successful|RollbackSuccessful) [[ $status == Successful ]] && return 0; return 1 ;;
      Failed|Cancelled|RollbackFailed) return 1 ;;
    esac
    sleep "$poll"
  done
  log "$id on $asg did not finish within $timeout_min min"
  return 1
}

start_refresh() {
  local target=$1 alarms input id
  alarms=$(jq -cn --arg a "${EDGEWAY_REFRESH_ALARMS:-}" '$a | split(",") | map(select(length > 0))')
  input=$(jq -n --arg asg "$asg" --arg lt "$lt_id" --arg v "$target" --arg cp "$checkpoints" \
    --argjson delay "$checkpoint_delay" --argjson max "$max_healthy" --argjson alarms "$alarms" '{
      AutoScalingGroupName: $asg,
      Strategy: "Rolling",
      DesiredConfiguration: {LaunchTemplate: {LaunchTemplateId: $lt, Version: $v}},
      Preferences: ({
        MinHealthyPercentage: 100,
        MaxHealthyPercentage: $max,
        InstanceWarmup: 120,
        CheckpointPercentages: ($cp | split(",") | map(tonumber)),
        CheckpointDelay: $delay,
        SkipMatching: false,
        AutoRollback: true,
        ScaleInProtectedInstances: "Wait",
        StandbyInstances: "Wait"
      } + (if ($alarms | length) > 0 then {AlarmSpecification: {Alarms: $alarms}} else {} end))
    }')
  id=$(aws autoscaling start-instance-refresh --cli-input-json "$input" --query InstanceRefreshId --output text)
  log "refresh $id: $asg $lt_id version $current -> $target (checkpoints $checkpoints)"
  wait_for "$id"
}

case $action in
  start)
    if [[ -z $version ]]; then
      version=$(aws ec2 describe-launch-templates --launch-template-ids "$lt_id" \
        --query 'LaunchTemplates[0].LatestVersionNumber' --output text)
    fi
    start_refresh "$version"
    ;;
  rollback)
    running=$(in_progress)
    if [[ -n $running && $running != None && -z $version ]]; then
      aws autoscaling rollback-instance-refresh --auto-scaling-group-name "$asg" >/dev/null
      log "rolling back refresh $running on $asg"
      # The rollback is the same refresh id; it ends in RollbackSuccessful.
      status=0; wait_for "$running" || status=$?
      final=$(aws autoscaling describe-instance-refreshes --auto-scaling-group-name "$asg" \
        --instance-refresh-ids "$running" --query 'InstanceRefreshes[0].Status' --output text)
      [[ $final == RollbackSuccessful ]] && exit 0
      exit "$status"
    fi
    [[ $current =~ ^[0-9]+$ ]] || { log "$asg runs version '$current'; give VERSION explicitly"; exit 1; }
    if [[ -z $version ]]; then
      (( current > 1 )) || { log "$asg runs version 1: there is no previous version"; exit 1; }
      version=$(( current - 1 ))
    fi
    start_refresh "$version"
    ;;
esac
