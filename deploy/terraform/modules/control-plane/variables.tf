variable "name" {
  description = "Prefix for every resource. Lowercase, digits, dashes."
  type        = string
  default     = "edgeway-cp"

  validation {
    # "<name>-admin" is a target group name: at most 32 characters.
    condition     = can(regex("^[a-z][a-z0-9-]{1,25}$", var.name))
    error_message = "name: 2-26 chars of [a-z0-9-] starting with a letter (target group names are limited to 32 chars)."
  }
}

variable "tags" {
  description = "Extra tags on the instances and volumes (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  type = string
}

variable "private_subnet_ids" {
  description = "Private subnets in at least two AZs: the replicas and the internal NLB."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids: at least 2 subnets in different AZs."
  }
}

variable "ami_id" {
  description = "AMI built by deploy/packer/edgeway.pkr.hcl (the same image as the proxies)."
  type        = string
}

variable "release_version" {
  description = "The edgeway package version baked into ami_id; boot refuses another."
  type        = string

  validation {
    condition     = can(regex("^[0-9][0-9A-Za-z.+~-]*$", var.release_version))
    error_message = "release_version: a Debian package version, e.g. 1.4.0."
  }
}

variable "root_device_name" {
  type    = string
  default = "/dev/xvda"
}

variable "instance_type" {
  type    = string
  default = "t3.medium"
}

variable "replicas" {
  description = "Control-plane replicas, spread over the subnets' AZs. They share the database and the gRPC CA."
  type        = number
  default     = 2

  validation {
    condition     = var.replicas >= 2
    error_message = "replicas: at least 2, so a replica or an AZ can fail without freezing the fleet's config."
  }
}

variable "admin_port" {
  type    = number
  default = 8001
}

variable "grpc_port" {
  type    = number
  default = 8005
}

variable "admin_cidrs" {
  description = "Who may reach the admin API and web UI (port admin_port on the internal NLB): operator/VPN CIDRs."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.admin_cidrs, "0.0.0.0/0")
    error_message = "admin_cidrs: not 0.0.0.0/0; the admin API changes the whole fleet."
  }
}

variable "admin_security_group_ids" {
  description = "Security groups (a bastion, CI runners) that may reach the admin API."
  type        = list(string)
  default     = []
}

variable "proxy_security_group_id" {
  description = "The proxies' security group: the only source allowed on the gRPC port."
  type        = string
}

variable "grpc_tls_names" {
  description = "Extra names for the gRPC server certificate (a Route 53 alias of the NLB); the NLB's DNS name is always in it."
  type        = list(string)
  default     = []
}

variable "database_url" {
  description = "EDGEWAY_DB_URL (JDBC): the database module's jdbc_url or an existing PostgreSQL."
  type        = string

  validation {
    condition     = can(regex("^jdbc:postgresql://[^/?#]+/[^?#]+", var.database_url))
    error_message = "database_url: expected jdbc:postgresql://HOST:PORT/DATABASE?sslmode=require."
  }
}

variable "database_user" {
  type    = string
  default = "edgeway"
}

variable "database_security_group_ids" {
  description = "The database's security group (RDS from the database module): egress on 5432 points at it. A list, so its length is known at plan even when the id is not."
  type        = list(string)
  default     = []
}

variable "database_cidrs" {
  description = "Alternatively (an existing database), CIDRs for the egress rule to its port."
  type        = list(string)
  default     = []
}

variable "database_port" {
  type    = number
  default = 5432
}

variable "secret_parameter_arns" {
  description = "The secrets module's parameter_arns: db-password, admin-token, master-key, ca-cert, ca-key."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["db-password", "admin-token", "master-key", "ca-cert", "ca-key"], keys(var.secret_parameter_arns))) == 0
    error_message = "secret_parameter_arns: needs db-password, admin-token, master-key, ca-cert and ca-key."
  }
}

variable "secrets_kms_key_arn" {
  description = "KMS key of those parameters (secrets module output)."
  type        = string
}
