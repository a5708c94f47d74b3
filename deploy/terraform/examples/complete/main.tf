# The whole Edgeway platform: secrets (SSM + KMS), PostgreSQL (RDS, or an existing database by URL), the
# control plane (2 replicas behind an internal NLB) and the proxy fleet (ASG behind an internet-facing NLB).
# Copy this directory, set the variables (terraform.tfvars.example) and apply; deploy/README.md has the steps.

locals {
  database_url = var.database_url != null ? var.database_url : module.database[0].jdbc_url
}

module "secrets" {
  source = "../../modules/secrets"

  name            = var.name
  db_password     = var.db_password
  admin_token     = var.admin_token
  master_key      = var.master_key
  ca_cert_pem     = var.ca_cert_pem
  ca_key_pem      = var.ca_key_pem
  secrets_version = var.secrets_version
}

module "database" {
  source = "../../modules/database"
  count  = var.database_url == null ? 1 : 0

  name                     = "${var.name}-db"
  vpc_id                   = var.vpc_id
  subnet_ids               = var.private_subnet_ids
  client_security_group_id = module.control_plane.instance_security_group_id
  password                 = var.db_password
  password_version         = var.secrets_version
  deletion_protection      = var.database_deletion_protection
}

module "control_plane" {
  source = "../../modules/control-plane"

  name                     = "${var.name}-cp"
  vpc_id                   = var.vpc_id
  private_subnet_ids       = var.private_subnet_ids
  ami_id                   = var.ami_id
  release_version          = var.release_version
  admin_cidrs              = var.admin_cidrs
  admin_security_group_ids = var.admin_security_group_ids
  proxy_security_group_id  = module.dataplane.proxy_security_group_id

  database_url                = local.database_url
  database_security_group_ids = var.database_url == null ? [module.database[0].security_group_id] : []
  database_cidrs              = var.database_cidrs

  secret_parameter_arns = module.secrets.parameter_arns
  secrets_kms_key_arn   = module.secrets.kms_key_arn
}

module "dataplane" {
  source = "../../modules/dataplane"

  name                 = "${var.name}-proxy"
  vpc_id               = var.vpc_id
  private_subnet_ids   = var.private_subnet_ids
  public_subnet_ids    = var.public_subnet_ids
  allowed_client_cidrs = var.allowed_client_cidrs
  ami_id               = var.ami_id
  release_version      = var.release_version
  upstream_cidrs       = var.upstream_cidrs
  proxy_tls_port       = var.proxy_tls_port
  min_size             = var.proxy_min_size
  max_size             = var.proxy_max_size
  desired_capacity     = var.proxy_desired_capacity

  drain_delay_seconds   = var.drain_delay_seconds
  drain_timeout_seconds = var.drain_timeout_seconds

  control_plane_address            = module.control_plane.grpc_address
  control_plane_security_group_ids = [module.control_plane.lb_security_group_id]

  join_token_parameter_arn = module.secrets.join_token_parameter_arn
  secrets_kms_key_arn      = module.secrets.kms_key_arn
}
