variable "name" {
  description = "Identifier of the DB instance and prefix of its companions."
  type        = string
  default     = "edgeway"
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Private subnets in at least two AZs (Multi-AZ needs both)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids: at least 2 private subnets in different AZs."
  }
}

variable "client_security_group_id" {
  description = "The control plane's security group: the only source allowed on 5432."
  type        = string
}

variable "password" {
  description = "Password of the edgeway user; the same value as the secrets module's db_password. Write-only: never in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "password_version" {
  description = "Bump to apply a new password (write-only values are sent only when this changes)."
  type        = number
  default     = 1
}

variable "engine_version" {
  description = "PostgreSQL major version (the parameter group family follows it)."
  type        = string
  default     = "16"
}

variable "instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "allocated_storage_gb" {
  type    = number
  default = 20
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling."
  type        = number
  default     = 100
}

variable "backup_retention_days" {
  type    = number
  default = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days: 1-35 (0 would turn automated backups off)."
  }
}

variable "deletion_protection" {
  description = "Keep on in production; turn off (and apply) only to destroy on purpose."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for storage encryption; null = a key created here."
  type        = string
  default     = null
}
