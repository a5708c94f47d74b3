output "kms_key_arn" {
  description = "The key the parameters are encrypted with; instance roles get kms:Decrypt on it (via SSM only)."
  value       = aws_kms_key.this.arn
}

output "parameter_names" {
  description = "Secret name (db-password, admin-token, master-key, ca-cert, ca-key) => SSM parameter name."
  value       = { for k, p in aws_ssm_parameter.this : k => p.name }
}

output "parameter_arns" {
  description = "Secret name => SSM parameter ARN."
  # Built from the name (known at plan, so IAM policies and user data can be planned); referencing the
  # resource keeps the dependency: instances read the parameters only after they exist.
  value = { for k, p in aws_ssm_parameter.this : k => "${local.arn_prefix}${p.name}" }
}

output "join_token_parameter_name" {
  description = "Where the operator puts the proxies' join token (a SecureString with this module's key)."
  value       = local.join_token_name
}

output "join_token_parameter_arn" {
  value = "${local.arn_prefix}${local.join_token_name}"
}
