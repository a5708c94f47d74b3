variable "name" {
  description = "Prefix of the parameter names (/<name>/...) and of the KMS alias."
  type        = string
  default     = "edgeway"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name: 2-31 chars of [a-z0-9-] starting with a letter."
  }
}

# Values are write-only (ephemeral): Terraform sends them to SSM and keeps them neither in the state nor in a
# saved plan. Generate them outside Terraform, e.g. `export TF_VAR_master_key=$(openssl rand -base64 32)`.
variable "db_password" {
  description = "PostgreSQL password of the edgeway user (`openssl rand -hex 24`)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "admin_token" {
  description = "EDGEWAY_ADMIN_TOKEN, the first admin bearer token (`openssl rand -hex 32`)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "master_key" {
  description = "EDGEWAY_MASTER_KEY, base64 of 32 random bytes (`openssl rand -base64 32`); encrypts certificate keys in the database."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "ca_cert_pem" {
  description = "The gRPC CA certificate shared by all control-plane replicas (EDGEWAY_CA_CERT_FILE)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "ca_key_pem" {
  description = "The gRPC CA private key shared by all control-plane replicas (EDGEWAY_CA_KEY_FILE)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "secrets_version" {
  description = "Bump to push new values of the variables above (write-only values are sent only when this changes)."
  type        = number
  default     = 1
}
