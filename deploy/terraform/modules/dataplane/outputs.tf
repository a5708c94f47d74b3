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
  description = "Alarms the instance refresh watches; give them to instance-refresh.sh as EDGEWAY_REFRESH_ALARMS (comma-separated)."
  value       = local.refresh_alarm_names
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
