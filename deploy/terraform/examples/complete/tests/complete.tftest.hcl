# Plan-only tests of the whole platform on a mocked AWS provider: `terraform test` in this directory.

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
  mock_data "aws_default_tags" {
    defaults = { tags = { team = "edge" } }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_lb" {
    override_during = plan
    defaults = {
      dns_name   = "internal-edgeway-cp-nlb.elb.eu-west-1.amazonaws.com"
      arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/edgeway/0123"
      arn_suffix = "net/edgeway/0123"
    }
  }
  mock_resource "aws_kms_key" {
    override_during = plan
    defaults        = { arn = "arn:aws:kms:eu-west-1:123456789012:key/0000" }
  }
  mock_resource "aws_db_instance" {
    override_during = plan
    defaults = {
      address    = "edgeway-db.abc.eu-west-1.rds.amazonaws.com"
      port       = 5432
      identifier = "edgeway-db-0001"
    }
  }
}

variables {
  region             = "eu-west-1"
  vpc_id             = "vpc-0123"
  private_subnet_ids = ["subnet-priv-a", "subnet-priv-b"]
  public_subnet_ids  = ["subnet-pub-a", "subnet-pub-b"]
  ami_id             = "ami-0123"
  release_version    = "1.4.0"
  admin_cidrs        = ["10.8.0.0/24"]
  upstream_cidrs     = ["10.0.0.0/16"]
  # Recognisable values: none of them may appear in anything an instance boots with.
  db_password = "SECRET-db-password-5d1f"
  admin_token = "SECRET-admin-token-8c2e"
  master_key  = "U0VDUkVULW1hc3Rlci1rZXktOWI0YS0zMi1ieXRlcyE="
  ca_cert_pem = "-----BEGIN CERTIFICATE-----\nSECRET-ca-cert-7e3a\n-----END CERTIFICATE-----"
  ca_key_pem  = "-----BEGIN PRIVATE KEY-----\nSECRET-ca-key-1f6b\n-----END PRIVATE KEY-----"
}

run "defaults_create_rds" {
  command = plan

  assert {
    condition     = output.database_jdbc_url == "jdbc:postgresql://edgeway-db.abc.eu-west-1.rds.amazonaws.com:5432/edgeway?sslmode=require"
    error_message = "without database_url the control plane uses the RDS instance created here"
  }
  assert {
    condition     = strcontains(output.control_plane_user_data, "EDGEWAY_DB_URL=${output.database_jdbc_url}") && strcontains(output.proxy_user_data, "EDGEWAY_CONTROL_PLANE=internal-edgeway-cp-nlb.elb.eu-west-1.amazonaws.com:8005")
    error_message = "replicas get the database URL; proxies dial the control plane's internal NLB"
  }
}

run "secrets_not_in_user_data" {
  command = plan

  assert {
    condition = alltrue([for s in ["SECRET-db-password-5d1f", "SECRET-admin-token-8c2e", "U0VDUkVULW1hc3Rlci1rZXktOWI0YS0zMi1ieXRlcyE=", "SECRET-ca-cert-7e3a", "SECRET-ca-key-1f6b"] :
    !strcontains(output.control_plane_user_data, s) && !strcontains(output.proxy_user_data, s)])
    error_message = "a secret value reached the user data"
  }
  assert {
    condition     = strcontains(output.control_plane_user_data, "file master-key /edgeway/master-key") && strcontains(output.proxy_user_data, "file join-token /edgeway/join-token")
    error_message = "the user data names the SSM parameters instead"
  }
}

run "existing_database_by_url" {
  command = plan

  variables {
    database_url   = "jdbc:postgresql://pg.corp.internal:5432/edgeway?sslmode=require"
    database_cidrs = ["10.20.0.0/24"]
  }

  assert {
    condition     = output.database_jdbc_url == "jdbc:postgresql://pg.corp.internal:5432/edgeway?sslmode=require" && strcontains(output.control_plane_user_data, "EDGEWAY_DB_URL=jdbc:postgresql://pg.corp.internal:5432/")
    error_message = "an existing database by URL replaces RDS"
  }
}

run "tls_port" {
  command = plan
  variables {
    proxy_tls_port = 8443
  }
  assert {
    condition     = strcontains(output.proxy_user_data, "EDGEWAY_TLS_PORT=8443") && length(split(",", output.proxy_refresh_env.EDGEWAY_REFRESH_ALARMS)) == 3
    error_message = "TLS port reaches the proxies, and its target group's health is watched by the refresh"
  }
}

# The precondition refusals are tested in each module's own tests: expect_failures cannot name a resource inside
# a module from here.
