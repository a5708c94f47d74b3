# Plan-only tests on a mocked AWS provider: `terraform test` in this directory (deploy/terraform/check.sh).

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
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
  # Known at plan, so the user data (which names the NLB in the gRPC certificate) can be checked.
  mock_resource "aws_lb" {
    override_during = plan
    defaults = {
      dns_name   = "edgeway-cp-nlb-0123.elb.eu-west-1.amazonaws.com"
      arn_suffix = "net/edgeway-cp-nlb/0123"
      arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/edgeway-cp-nlb/0123"
    }
  }
}

variables {
  vpc_id                      = "vpc-0123"
  private_subnet_ids          = ["subnet-priv-a", "subnet-priv-b"]
  ami_id                      = "ami-0123"
  release_version             = "1.4.0"
  admin_cidrs                 = ["10.8.0.0/24", "10.9.0.0/24"]
  admin_security_group_ids    = ["sg-bastion"]
  proxy_security_group_id     = "sg-proxies"
  database_url                = "jdbc:postgresql://db.internal:5432/edgeway?sslmode=require"
  database_security_group_ids = ["sg-db"]
  secrets_kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/1111"
  secret_parameter_arns = {
    db-password = "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/db-password"
    admin-token = "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/admin-token"
    master-key  = "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/master-key"
    ca-cert     = "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/ca-cert"
    ca-key      = "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/ca-key"
  }
}

run "defaults" {
  command = plan

  assert {
    condition     = aws_autoscaling_group.this.min_size == 2 && aws_autoscaling_group.this.max_size == 2 && toset(aws_autoscaling_group.this.vpc_zone_identifier) == toset(var.private_subnet_ids)
    error_message = "two replicas over the private subnets (two AZs)"
  }
  assert {
    condition     = aws_lb.this.internal == true && toset(keys(aws_lb_listener.this)) == toset(["admin", "grpc"]) && aws_lb_listener.this["admin"].port == 8001 && aws_lb_listener.this["grpc"].port == 8005
    error_message = "internal NLB with admin 8001 and gRPC 8005"
  }
  assert {
    condition     = tonumber(output.refresh_env.EDGEWAY_REFRESH_MAX_HEALTHY) > 100 && output.refresh_env.EDGEWAY_REFRESH_ALARMS == aws_cloudwatch_metric_alarm.unhealthy.alarm_name
    error_message = "replicas are replaced launch-before-terminate, watched by the /healthz alarm"
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "EDGEWAY_GRPC_TLS_NAMES=edgeway-cp-nlb-0123.elb.eu-west-1.amazonaws.com")
    error_message = "the proxies dial the NLB's name: it must be in the gRPC certificate"
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "LoadCredential=master-key:/run/edgeway/secrets/master-key") && strcontains(base64decode(aws_launch_template.this.user_data), "env EDGEWAY_DB_PASSWORD /edgeway/db-password")
    error_message = "secrets come from SSM at boot through the credential directory"
  }
  assert {
    condition     = alltrue([for ts in aws_launch_template.this.tag_specifications : ts.tags["team"] == "edge"]) && aws_launch_template.this.monitoring[0].enabled
    error_message = "default tags on instances, detailed monitoring"
  }
}

# gRPC only from the proxies' SG; admin only from the admin CIDRs and the bastion SG; replicas only from the NLB.
run "security_groups" {
  command = plan

  assert {
    condition     = aws_vpc_security_group_ingress_rule.grpc_from_proxies.referenced_security_group_id == "sg-proxies" && aws_vpc_security_group_ingress_rule.grpc_from_proxies.from_port == 8005 && aws_vpc_security_group_ingress_rule.grpc_from_proxies.to_port == 8005 && aws_vpc_security_group_ingress_rule.grpc_from_proxies.cidr_ipv4 == null
    error_message = "gRPC ingress must reference the proxies' SG and nothing else"
  }
  assert {
    condition     = toset([for r in aws_vpc_security_group_ingress_rule.admin_from_cidrs : r.cidr_ipv4]) == toset(var.admin_cidrs) && alltrue([for r in aws_vpc_security_group_ingress_rule.admin_from_cidrs : r.from_port == 8001 && r.to_port == 8001])
    error_message = "admin CIDRs may reach 8001 and only 8001"
  }
  assert {
    condition     = [for r in aws_vpc_security_group_ingress_rule.admin_from_groups : r.referenced_security_group_id] == ["sg-bastion"] && alltrue([for r in aws_vpc_security_group_ingress_rule.admin_from_groups : r.from_port == 8001 && r.to_port == 8001])
    error_message = "the bastion SG may reach 8001 and only 8001"
  }
  assert {
    condition     = alltrue([for r in aws_vpc_security_group_ingress_rule.instances_from_lb : r.cidr_ipv4 == null])
    error_message = "replicas accept nothing from CIDRs"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.to_database_sg[0].referenced_security_group_id == "sg-db" && aws_vpc_security_group_egress_rule.to_database_sg[0].from_port == 5432
    error_message = "egress to the database SG on 5432"
  }
}

run "refuses_admin_open_to_the_world" {
  command = plan
  variables {
    admin_cidrs = ["0.0.0.0/0"]
  }
  expect_failures = [var.admin_cidrs]
}

run "refuses_single_replica" {
  command = plan
  variables {
    replicas = 1
  }
  expect_failures = [var.replicas]
}

run "refuses_missing_secret" {
  command = plan
  variables {
    secret_parameter_arns = {
      db-password = "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/db-password"
    }
  }
  expect_failures = [var.secret_parameter_arns]
}

run "refuses_no_path_to_database" {
  command = plan
  variables {
    database_security_group_ids = []
    database_cidrs              = []
  }
  expect_failures = [aws_autoscaling_group.this]
}

run "refuses_non_postgresql_url" {
  command = plan
  variables {
    database_url = "mysql://db.internal/edgeway"
  }
  expect_failures = [var.database_url]
}
