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
  mock_data "aws_default_tags" {
    defaults = { tags = { team = "edge", env = "prod" } }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_launch_template" {
    override_during = plan
    defaults        = { latest_version = 3, id = "lt-0123456789abcdef0" }
  }
}

variables {
  vpc_id                           = "vpc-0123"
  private_subnet_ids               = ["subnet-priv-a", "subnet-priv-b"]
  public_subnet_ids                = ["subnet-pub-a", "subnet-pub-b"]
  ami_id                           = "ami-0123"
  release_version                  = "1.4.0"
  control_plane_address            = "cp.internal:8005"
  control_plane_security_group_ids = ["sg-cplb"]
  join_token_parameter_arn         = "arn:aws:ssm:eu-west-1:123456789012:parameter/edgeway/join-token"
  secrets_kms_key_arn              = "arn:aws:kms:eu-west-1:123456789012:key/1111"
  upstream_cidrs                   = ["10.0.0.0/16"]
}

run "defaults" {
  command = plan

  # The rollout settings instance-refresh.sh gets: checkpoints and both alarms.
  assert {
    condition     = output.refresh_env.EDGEWAY_REFRESH_CHECKPOINTS == "10,50,100"
    error_message = "checkpoints 10, 50, 100"
  }
  assert {
    condition     = toset(split(",", output.refresh_env.EDGEWAY_REFRESH_ALARMS)) == toset([aws_cloudwatch_metric_alarm.errors.alarm_name, aws_cloudwatch_metric_alarm.unhealthy["http"].alarm_name])
    error_message = "the refresh watches the 5xx alarm and the unhealthy-hosts alarm"
  }
  # A pinned version, never $Latest: rollback needs one to go back to.
  assert {
    condition     = aws_autoscaling_group.proxy.launch_template[0].version == "3"
    error_message = "the group runs a specific launch template version"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.unhealthy["http"].metric_name == "UnHealthyHostCount" && length([for q in aws_cloudwatch_metric_alarm.errors.metric_query : q if try(q.metric[0].dimensions.status_class, "") == "5xx"]) == 1
    error_message = "alarms on unhealthy hosts and on the 5xx counter"
  }
  # 1-minute metrics on instances and on the group.
  assert {
    condition     = aws_launch_template.proxy.monitoring[0].enabled == true && aws_autoscaling_group.proxy.metrics_granularity == "1Minute" && length(aws_autoscaling_group.proxy.enabled_metrics) > 0
    error_message = "detailed monitoring must be on"
  }
  # The provider's default tags reach instances and volumes.
  assert {
    condition     = alltrue([for ts in aws_launch_template.proxy.tag_specifications : ts.tags["team"] == "edge" && ts.tags["edgeway:release"] == "1.4.0"]) && contains([for ts in aws_launch_template.proxy.tag_specifications : ts.resource_type], "instance")
    error_message = "default tags and the release must be in the launch template's tag_specifications"
  }
  # Internet-facing NLB in the public subnets, instances in the private ones.
  assert {
    condition     = aws_lb.this.internal == false && toset(aws_lb.this.subnets) == toset(var.public_subnet_ids) && toset(aws_autoscaling_group.proxy.vpc_zone_identifier) == toset(var.private_subnet_ids)
    error_message = "public LB in public subnets, instances in private subnets"
  }
  assert {
    condition     = keys(aws_lb_listener.proxy) == ["http"]
    error_message = "no TLS port: HTTP listener only"
  }
  # Baked AMI, pinned release, drain settings from the variables; nothing installed at boot.
  assert {
    condition     = strcontains(base64decode(aws_launch_template.proxy.user_data), "launch template wants 1.4.0") && strcontains(base64decode(aws_launch_template.proxy.user_data), "EDGEWAY_DRAIN_DELAY=10s")
    error_message = "user data must pin the release and carry the drain delay"
  }
  assert {
    condition     = !strcontains(base64decode(aws_launch_template.proxy.user_data), "packages:") && !strcontains(base64decode(aws_launch_template.proxy.user_data), "apt-get")
    error_message = "no package installs at boot"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.proxy_to_control_plane_sg[0].referenced_security_group_id == "sg-cplb" && aws_vpc_security_group_egress_rule.proxy_to_control_plane_sg[0].from_port == 8005
    error_message = "gRPC egress to the control plane's NLB security group"
  }
}

run "tls_port" {
  command = plan

  variables {
    proxy_tls_port = 8443
  }

  assert {
    condition     = aws_lb_listener.proxy["https"].port == 443 && aws_lb_target_group.proxy["https"].port == 8443
    error_message = "NLB 443 forwards to the proxies' 8443"
  }
  assert {
    condition     = contains(keys(aws_vpc_security_group_ingress_rule.proxy_from_lb), "8443") && contains([for r in aws_vpc_security_group_ingress_rule.lb_clients : r.from_port], 443)
    error_message = "security groups open 443 on the NLB and 8443 from the NLB"
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.proxy.user_data), "EDGEWAY_TLS_PORT=8443")
    error_message = "the proxy must listen on the TLS port"
  }
  assert {
    condition     = contains(split(",", output.refresh_env.EDGEWAY_REFRESH_ALARMS), aws_cloudwatch_metric_alarm.unhealthy["https"].alarm_name)
    error_message = "the https target group's health is watched during a refresh too"
  }
}

run "internal_lb_uses_private_subnets" {
  command = plan

  variables {
    internal_lb       = true
    public_subnet_ids = []
  }

  assert {
    condition     = aws_lb.this.internal && toset(aws_lb.this.subnets) == toset(var.private_subnet_ids)
    error_message = "an internal LB goes in the private subnets"
  }
}

run "refuses_desired_above_max" {
  command = plan
  variables {
    desired_capacity = 11
  }
  expect_failures = [aws_autoscaling_group.proxy]
}

run "refuses_drain_delay_below_health_check" {
  command = plan
  variables {
    drain_delay_seconds = 5
  }
  expect_failures = [aws_autoscaling_group.proxy]
}

run "refuses_drain_longer_than_deregistration_limit" {
  command = plan
  variables {
    drain_timeout_seconds = 3600
  }
  expect_failures = [var.drain_timeout_seconds]
}

run "refuses_checkpoints_not_ending_at_100" {
  command = plan
  variables {
    refresh_checkpoints = [50, 10]
  }
  expect_failures = [output.refresh_env]
}

run "refuses_public_lb_without_public_subnets" {
  command = plan
  variables {
    public_subnet_ids = []
  }
  expect_failures = [aws_lb.this]
}

run "refuses_no_path_to_control_plane" {
  command = plan
  variables {
    control_plane_security_group_ids = []
    control_plane_cidrs              = []
  }
  expect_failures = [aws_security_group.proxy]
}

run "refuses_one_subnet" {
  command = plan
  variables {
    private_subnet_ids = ["subnet-priv-a"]
  }
  expect_failures = [var.private_subnet_ids]
}

run "refuses_bad_control_plane_address" {
  command = plan
  variables {
    control_plane_address = "cp.internal"
  }
  expect_failures = [var.control_plane_address]
}

run "refuses_bad_join_token_arn" {
  command = plan
  variables {
    join_token_parameter_arn = "/edgeway/join-token"
  }
  expect_failures = [var.join_token_parameter_arn]
}

run "refuses_bad_release_version" {
  command = plan
  variables {
    release_version = "latest; rm -rf /"
  }
  expect_failures = [var.release_version]
}
