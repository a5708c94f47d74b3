# Plan-only tests on a mocked AWS provider: `terraform test` in this directory (deploy/terraform/check.sh).

mock_provider "aws" {
  mock_resource "aws_kms_key" {
    override_during = plan
    defaults        = { arn = "arn:aws:kms:eu-west-1:123456789012:key/db" }
  }
}

variables {
  vpc_id                   = "vpc-0123"
  subnet_ids               = ["subnet-priv-a", "subnet-priv-b"]
  client_security_group_id = "sg-control-plane"
  password                 = "test-db-password-0f1e2d"
}

run "defaults" {
  command = plan

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/db"
    error_message = "storage encrypted with the module's KMS key"
  }
  assert {
    condition     = aws_db_instance.this.multi_az && aws_db_instance.this.publicly_accessible == false
    error_message = "Multi-AZ, not public"
  }
  assert {
    condition     = aws_db_instance.this.backup_retention_period >= 1 && aws_db_instance.this.deletion_protection && aws_db_instance.this.skip_final_snapshot == false
    error_message = "backups, deletion protection and a final snapshot"
  }
  assert {
    condition     = contains([for p in aws_db_parameter_group.this.parameter : "${p.name}=${p.value}"], "rds.force_ssl=1") && aws_db_instance.this.engine == "postgres"
    error_message = "a PostgreSQL parameter group forcing TLS"
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.from_control_plane.referenced_security_group_id == "sg-control-plane" && aws_vpc_security_group_ingress_rule.from_control_plane.from_port == 5432 && aws_vpc_security_group_ingress_rule.from_control_plane.cidr_ipv4 == null
    error_message = "5432 from the control plane's SG only"
  }
  assert {
    condition     = toset(aws_db_subnet_group.this.subnet_ids) == toset(var.subnet_ids)
    error_message = "in the private subnets"
  }
  # Write-only: the password is sent to RDS, never stored in the plan's resource values.
  assert {
    condition     = aws_db_instance.this.password_wo == null && aws_db_instance.this.password == null
    error_message = "the password must not be in the planned state"
  }
}

run "existing_kms_key" {
  command = plan
  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/mine"
  }
  assert {
    condition     = aws_db_instance.this.kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/mine" && length(aws_kms_key.this) == 0
    error_message = "a given KMS key is used, none created"
  }
}

run "refuses_no_backups" {
  command = plan
  variables {
    backup_retention_days = 0
  }
  expect_failures = [var.backup_retention_days]
}

run "refuses_single_subnet" {
  command = plan
  variables {
    subnet_ids = ["subnet-priv-a"]
  }
  expect_failures = [var.subnet_ids]
}
