# Plan-only tests on a mocked AWS provider: `terraform test` in this directory (deploy/terraform/check.sh).

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_kms_key" {
    override_during = plan
    defaults        = { arn = "arn:aws:kms:eu-west-1:123456789012:key/secrets" }
  }
}

variables {
  db_password = "test-db-password-0f1e2d"
  admin_token = "test-admin-token-9a8b7c"
  master_key  = "dGVzdC1tYXN0ZXIta2V5LXRlc3QtbWFzdGVyLWtleSE="
  ca_cert_pem = "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----"
  ca_key_pem  = "-----BEGIN PRIVATE KEY-----\ntest\n-----END PRIVATE KEY-----"
}

run "defaults" {
  command = plan

  assert {
    condition     = alltrue([for p in aws_ssm_parameter.this : p.type == "SecureString" && p.key_id == "arn:aws:kms:eu-west-1:123456789012:key/secrets"])
    error_message = "every secret is a SecureString under the module's KMS key"
  }
  assert {
    condition     = toset(keys(aws_ssm_parameter.this)) == toset(["db-password", "admin-token", "master-key", "ca-cert", "ca-key"])
    error_message = "the five control-plane secrets"
  }
  # Write-only: the values are sent to SSM but absent from the plan and the state. (The variables are
  # ephemeral, so Terraform itself refuses them in any attribute that would be stored.)
  assert {
    condition     = alltrue([for p in aws_ssm_parameter.this : p.value_wo == null && p.value_wo_version == 1])
    error_message = "secret values must not be in the planned state"
  }
  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "key rotation on"
  }
  assert {
    condition     = output.parameter_arns["master-key"] == "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/master-key" && output.join_token_parameter_arn == "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/join-token"
    error_message = "parameter ARNs for the instance roles"
  }
}
