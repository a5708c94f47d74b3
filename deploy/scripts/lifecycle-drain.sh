#!/usr/bin/env bash
# Graceful scale-in for an Edgeway proxy in an AWS Auto Scaling group.
#
# The ASG has a lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING. When this instance is picked for
# termination (scale-in, instance refresh, health replacement), the ASG first deregisters it from the target
# group, then holds it in Terminating:Wait and IMDS reports target-lifecycle-state=Terminated. We then stop the
# proxy (SIGTERM: /readyz 503, serve for the drain delay, drain in-flight requests) and only after it has exited
# tell the ASG to continue. Without this the instance would be shut down with requests in flight.
#
# Runs as edgeway-lifecycle-drain.service. Settings (from /etc/edgeway/lifecycle-drain.env, written by cloud-init):
#   EDGEWAY_ASG_NAME        the Auto Scaling group (required)
#   EDGEWAY_LIFECYCLE_HOOK  the hook's name (required)
#   AWS_REGION              region for the aws CLI (default: from IMDS)
#   EDGEWAY_DRAIN_UNIT      unit to stop (default edgeway-dataplane.service)
#   EDGEWAY_POLL_SECONDS    IMDS poll interval (default 5)
#   EDGEWAY_IMDS            metadata endpoint (default http://169.254.169.254; overridable for tests)
set -euo pipefail

asg=${EDGEWAY_ASG_NAME:?EDGEWAY_ASG_NAME is required}
hook=${EDGEWAY_LIFECYCLE_HOOK:?EDGEWAY_LIFECYCLE_HOOK is required}
unit=${EDGEWAY_DRAIN_UNIT:-edgeway-dataplane.service}
poll=${EDGEWAY_POLL_SECONDS:-5}
imds=${EDGEWAY_IMDS:-http://169.254.169.254}

log() { echo "lifecycle-drain: $*" >&2; }

token="" token_at=0
# IMDSv2: a session token (PUT) is required for every read; refresh it well before its 6 h TTL.
imds_get() {
  local now
  now=$(date +%s)
  if [[ -z $token ]] || (( now - token_at > 3600 )); then
    token=$(curl -sf -m 2 -X PUT "$imds/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600') || return 1
    token_at=$now
  fi
  curl -sf -m 2 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/$1"
}

instance_id=""
until instance_id=$(imds_get instance-id); do log "IMDS not reachable yet"; sleep "$poll"; done
if [[ -z ${AWS_REGION:-} ]]; then
  AWS_REGION=$(imds_get placement/region)
  export AWS_REGION
fi
log "watching $instance_id in $asg (hook $hook)"

# The state is absent (404) until the instance is InService; transient errors just mean "ask again".
while true; do
  state=$(imds_get autoscaling/target-lifecycle-state || true)
  [[ $state == Terminated ]] && break
  sleep "$poll"
done

log "target state Terminated: stopping $unit (drain)"
started=$(date +%s)
# Blocks until the proxy has exited; the unit's TimeoutStopSec bounds it (drain delay + drain timeout + margin).
systemctl stop "$unit" || log "stopping $unit failed; continuing so the instance is not held until the timeout"
log "$unit stopped after $(( $(date +%s) - started )) s; completing lifecycle action"

# Retry a few times: a throttled or briefly failing API call should not hold the instance for the whole heartbeat.
for attempt in 1 2 3 4 5; do
  if aws autoscaling complete-lifecycle-action \
      --auto-scaling-group-name "$asg" --lifecycle-hook-name "$hook" \
      --instance-id "$instance_id" --lifecycle-action-result CONTINUE; then
    log "lifecycle action completed"
    exit 0
  fi
  sleep $(( attempt * 2 ))
done
log "complete-lifecycle-action failed; the hook's heartbeat timeout will let termination continue"
exit 1
