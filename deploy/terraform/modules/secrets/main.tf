# Edgeway's secrets as SSM SecureString parameters under /<name>/, encrypted with a key of their own, so that an
# instance role can be given kms:Decrypt on exactly this key and ssm:GetParameter on exactly its parameters.
#
# The join token is not created here: it is issued by the running control plane (`edgeway ctl join-token
# create`), so the operator puts it at join_token_parameter_name after the first apply (see deploy/README.md).

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_kms_key" "this" {
  description             = "${var.name}: Edgeway secrets in SSM Parameter Store"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-secrets"
  target_key_id = aws_kms_key.this.key_id
}

locals {
  prefix = "/${var.name}"
  # file name on the instance (/run/edgeway/secrets/<key>) => value
  values = {
    db-password = var.db_password
    admin-token = var.admin_token
    master-key  = var.master_key
    ca-cert     = var.ca_cert_pem
    ca-key      = var.ca_key_pem
  }
  join_token_name = "${local.prefix}/join-token"
  arn_prefix      = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter"
}

resource "aws_ssm_parameter" "this" {
  # for_each over the (non-secret) names only: the values are ephemeral.
  for_each = toset(keys(local.values))

  name             = "${local.prefix}/${each.key}"
  type             = "SecureString"
  key_id           = aws_kms_key.this.arn
  value_wo         = local.values[each.key]
  value_wo_version = var.secrets_version
  # The CA certificate and key exceed 4 KB with some key types.
  tier = "Advanced"
}
