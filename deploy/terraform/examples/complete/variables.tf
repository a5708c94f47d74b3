variable "region" {
  type = string
}

variable "name" {
  description = "Deployment name: prefix of every resource (<name>-cp, <name>-proxy, /<name>/... parameters)."
  type        = string
  default     = "edgeway"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.name))
    error_message = "name: 2-20 chars of [a-z0-9-] starting with a letter."
  }
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "vpc_id" {
  type = string
}

variable "private_subnet_ids" {
  description = "Private subnets (2+ AZs): control plane, its internal NLB, RDS, proxies."
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Public subnets (2+ AZs, same AZs): the proxies' internet-facing NLB."
  type        = list(string)
}

variable "ami_id" {
  description = "AMI from deploy/packer/edgeway.pkr.hcl with edgeway release_version installed."
  type        = string
}

variable "release_version" {
  description = "The edgeway release every instance runs; a change rolls out through the instance refreshes."
  type        = string
}

variable "admin_cidrs" {
  description = "Operator / VPN CIDRs allowed on the admin API (8001)."
  type        = list(string)
  default     = []
}

variable "admin_security_group_ids" {
  description = "A bastion's or CI runners' security groups allowed on the admin API."
  type        = list(string)
  default     = []
}

variable "upstream_cidrs" {
  description = "Where the proxies may forward to."
  type        = list(string)
}

variable "allowed_client_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

variable "proxy_tls_port" {
  description = "8443 to terminate TLS in the proxies behind the NLB's 443; null = HTTP only."
  type        = number
  default     = null
}

variable "proxy_min_size" {
  type    = number
  default = 2
}

variable "proxy_max_size" {
  type    = number
  default = 10
}

variable "proxy_desired_capacity" {
  type    = number
  default = 3
}

variable "drain_delay_seconds" {
  type    = number
  default = 10
}

variable "drain_timeout_seconds" {
  type    = number
  default = 30
}

variable "database_url" {
  description = "An existing PostgreSQL (jdbc:postgresql://host:5432/edgeway?sslmode=require); null = create RDS."
  type        = string
  default     = null
}

variable "database_cidrs" {
  description = "With database_url: the existing database's CIDRs (control-plane egress on 5432)."
  type        = list(string)
  default     = []
}

variable "database_deletion_protection" {
  type    = bool
  default = true
}

# Secrets: generated outside Terraform and passed as TF_VAR_... environment variables (deploy/README.md).
# Ephemeral: Terraform writes them to SSM (and RDS) as write-only values and keeps them in no state or plan file.
variable "db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "admin_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "master_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "ca_cert_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "ca_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "secrets_version" {
  description = "Bump after changing a secret above so Terraform sends the new values."
  type        = number
  default     = 1
}
