output "lb_dns_name" {
  description = "Point client DNS (CNAME/alias) here."
  value       = aws_lb.this.dns_name
}

output "lb_zone_id" {
  description = "For a Route 53 alias record."
  value       = aws_lb.this.zone_id
}

output "asg_name" {
  description = "For deploy/scripts/instance-refresh.sh (start, rollback)."
  value       = aws_autoscaling_group.proxy.name
}

output "lifecycle_hook_name" {
  value = aws_autoscaling_lifecycle_hook.drain.name
}

output "proxy_security_group_id" {
  description = "Allow this SG on the control plane's gRPC port and on the upstreams."
  value       = aws_security_group.proxy.id
}

output "instance_role_arn" {
  value = aws_iam_role.proxy.arn
}

output "refresh_alarm_names" {
  description = "Alarms the instance refresh watches (in refresh_env)."
  value       = local.refresh_alarm_names
}

output "refresh_env" {
  description = "Environment for deploy/scripts/instance-refresh.sh: alarms, checkpoints, checkpoint delay."
  value = {
    EDGEWAY_REFRESH_ALARMS           = join(",", local.refresh_alarm_names)
    EDGEWAY_REFRESH_CHECKPOINTS      = join(",", var.refresh_checkpoints)
    EDGEWAY_REFRESH_CHECKPOINT_DELAY = tostring(var.refresh_checkpoint_delay_seconds)
  }

  precondition {
    # (sort() would compare them as strings)
    condition = length(var.refresh_checkpoints) > 0 && alltrue([
      for i in range(1, length(var.refresh_checkpoints)) : var.refresh_checkpoints[i] > var.refresh_checkpoints[i - 1]
    ]) && var.refresh_checkpoints[length(var.refresh_checkpoints) - 1] == 100
    error_message = "refresh_checkpoints must ascend and end with 100."
  }
}

output "launch_template_id" {
  value = aws_launch_template.proxy.id
}

output "launch_template_version" {
  description = "The version the ASG runs (pinned, never $Latest)."
  value       = aws_launch_template.proxy.latest_version
}

output "user_data" {
  description = "The rendered cloud-config the proxies boot with (no secrets: parameter names only)."
  value       = base64decode(aws_launch_template.proxy.user_data)
}
