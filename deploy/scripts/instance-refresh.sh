#!/usr/bin/env bash
# Roll an Auto Scaling group onto the current release and wait for the result (used by deploy/ci/workflow.yml).
#   instance-refresh.sh ASG_NAME [TIMEOUT_MINUTES=100]
# Each replaced instance is drained through the lifecycle hook; 90 % of capacity stays healthy; on failure the
# ASG rolls back to the previous launch template. Exit 0 only when the refresh is Successful.
set -euo pipefail

asg=${1:?usage: instance-refresh.sh ASG_NAME [TIMEOUT_MINUTES]}
timeout_min=${2:-100}

id=$(aws autoscaling start-instance-refresh --auto-scaling-group-name "$asg" \
  --preferences '{"MinHealthyPercentage":90,"InstanceWarmup":120,"AutoRollback":true}' \
  --query InstanceRefreshId --output text)
echo "instance refresh $id started on $asg"

deadline=$(( $(date +%s) + timeout_min * 60 ))
while (( $(date +%s) < deadline )); do
  read -r status pct < <(aws autoscaling describe-instance-refreshes --auto-scaling-group-name "$asg" \
    --instance-refresh-ids "$id" --query 'InstanceRefreshes[0].[Status,PercentageComplete]' --output text)
  echo "$(date -u +%T) $asg $status ${pct}%"
  case $status in
    Successful) exit 0 ;;
    Failed|Cancelled|RollbackSuccessful|RollbackFailed) echo "instance refresh $id on $asg: $status" >&2; exit 1 ;;
  esac
  sleep 30
done
echo "instance refresh $id on $asg did not finish within $timeout_min min" >&2
exit 1
