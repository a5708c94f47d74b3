output "proxy_lb_dns_name" {
  description = "Point client DNS (CNAME/alias) here."
  value       = module.dataplane.lb_dns_name
}

output "admin_url" {
  value = module.control_plane.admin_url
}

output "control_plane_grpc_address" {
  value = module.control_plane.grpc_address
}

output "join_token_parameter_name" {
  description = "Put the proxies' join token here once the control plane is up (deploy/README.md)."
  value       = module.secrets.join_token_parameter_name
}

output "secrets_kms_key_arn" {
  value = module.secrets.kms_key_arn
}

output "proxy_asg_name" {
  value = module.dataplane.asg_name
}

output "proxy_refresh_env" {
  description = "Environment for deploy/scripts/instance-refresh.sh on the proxies' group."
  value       = module.dataplane.refresh_env
}

output "control_plane_refresh_env" {
  description = "Environment for deploy/scripts/instance-refresh.sh on the control plane's group."
  value       = module.control_plane.refresh_env
}

output "control_plane_asg_name" {
  value = module.control_plane.asg_name
}

output "database_jdbc_url" {
  description = "EDGEWAY_DB_URL the control plane uses (RDS's, or database_url)."
  value       = local.database_url
}

output "control_plane_user_data" {
  description = "What a control-plane replica boots with (parameter names, no secret values)."
  value       = module.control_plane.user_data
}

output "proxy_user_data" {
  description = "What a proxy boots with (parameter names, no secret values)."
  value       = module.dataplane.user_data
}
