output "grpc_address" {
  description = "host:port the proxies dial (dataplane module's control_plane_address)."
  value       = "${aws_lb.this.dns_name}:${var.grpc_port}"
}

output "admin_url" {
  description = "The admin API and web UI, reachable from admin_cidrs / admin_security_group_ids."
  value       = "http://${aws_lb.this.dns_name}:${var.admin_port}"
}

output "lb_security_group_id" {
  description = "The internal NLB's SG: the proxies' gRPC egress points here."
  value       = aws_security_group.lb.id
}

output "instance_security_group_id" {
  description = "The replicas' SG: the database's ingress rule points here."
  value       = aws_security_group.instance.id
}

output "asg_name" {
  value = aws_autoscaling_group.this.name
}

output "refresh_env" {
  description = "Environment for deploy/scripts/instance-refresh.sh: one replica of two at a time, alarm on /healthz."
  value = {
    EDGEWAY_REFRESH_ALARMS           = aws_cloudwatch_metric_alarm.unhealthy.alarm_name
    EDGEWAY_REFRESH_CHECKPOINTS      = "50,100"
    EDGEWAY_REFRESH_CHECKPOINT_DELAY = "120"
    EDGEWAY_REFRESH_MAX_HEALTHY      = "150"
  }
}

output "user_data" {
  description = "The rendered cloud-config the replicas boot with (no secrets: parameter names only)."
  value       = base64decode(aws_launch_template.this.user_data)
}
