#!/usr/bin/env bash
# Waits for the newest instance refresh of an Auto Scaling group (started by Terraform when the launch template
# changed) to end. Exit 0 on Successful; 1 on Failed, Cancelled or a rollback (the alarms fired: the group is
# back on the previous launch template version, which is what a failed release should leave).
#   wait-refresh.sh ASG [timeout-minutes, default 180]
set -euo pipefail
asg=${1:?usage: wait-refresh.sh ASG [timeout-minutes]}
deadline=$(( $(date +%s) + ${2:-180} * 60 ))
while (( $(date +%s) < deadline )); do
  status=$(aws autoscaling describe-instance-refreshes --auto-scaling-group-name "$asg" --max-records 1 \
    --query 'InstanceRefreshes[0].[Status,PercentageComplete]' --output text)
  echo "wait-refresh: $asg: $status"
  case ${status%%[[:space:]]*} in
    Successful) exit 0 ;;
    None) echo "wait-refresh: no refresh on $asg (launch template unchanged?)"; exit 0 ;;
    Failed|Cancelled|RollbackSuccessful|RollbackFailed) exit 1 ;;
  esac
  sleep 30
done
echo "wait-refresh: $asg: still refreshing after ${2:-180} min" >&2
exit 1
