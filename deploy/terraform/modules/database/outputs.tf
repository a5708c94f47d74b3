output "jdbc_url" {
  description = "EDGEWAY_DB_URL for the control plane."
  value       = "jdbc:postgresql://${aws_db_instance.this.address}:${aws_db_instance.this.port}/${local.db_name}?sslmode=require"
}

output "username" {
  value = local.username
}

output "security_group_id" {
  description = "The database's SG: the control plane's egress rule points here."
  value       = aws_security_group.this.id
}

output "db_instance_identifier" {
  value = aws_db_instance.this.identifier
}
