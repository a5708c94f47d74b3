resource "aws_launch_template" "proxy" {
  name_prefix   = "${var.name}-"
  image_id      = var.ami_id
  instance_type = var.instance_type

  vpc_security_group_ids = [aws_security_group.proxy.id]

  iam_instance_profile {
    arn = aws_iam_instance_profile.proxy.arn
  }

  # IMDSv2 only, one hop: lifecycle-drain.sh uses tokens, and containers on the host cannot reach IMDS.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  # 1-minute EC2 metrics: the scaling policy and the refresh alarms react in minutes, not in fives.
  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = var.root_device_name
    ebs {
      volume_size           = 16
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  # No secrets and no package installs: the AMI has everything; the join token is read at every boot from SSM.
  user_data = base64encode(templatefile("${path.module}/user-data.yaml.tftpl", {
    release_version       = var.release_version
    control_plane_address = var.control_plane_address
    join_token_parameter  = local.join_token_parameter_name
    proxy_port            = var.proxy_port
    proxy_tls_port        = var.proxy_tls_port
    status_port           = var.status_port
    drain_delay_seconds   = var.drain_delay_seconds
    drain_timeout_seconds = var.drain_timeout_seconds
    asg_name              = local.asg_name
    hook_name             = local.hook_name
    region                = local.region
    fleet                 = var.name
    metrics_log_group     = local.metrics_log_group
    metrics_namespace     = local.metrics_namespace
  }))

  # Each apply that changes it (AMI, release, settings) makes a new version; instance-refresh.sh rolls it out.
  update_default_version = true

  dynamic "tag_specifications" {
    for_each = ["instance", "volume", "network-interface"]
    content {
      resource_type = tag_specifications.value
      tags          = local.instance_tags
    }
  }
}

resource "aws_autoscaling_group" "proxy" {
  name                = local.asg_name
  vpc_zone_identifier = var.private_subnet_ids
  min_size            = var.min_size
  max_size            = var.max_size
  desired_capacity    = var.desired_capacity
  target_group_arns   = [for tg in aws_lb_target_group.proxy : tg.arn]

  # Replace instances the NLB finds unready for long, not just dead VMs. The grace period covers boot from the
  # baked AMI (no installs): the secrets fetch, the JVM start and the first config from the control plane.
  health_check_type         = "ELB"
  health_check_grace_period = 180
  default_instance_warmup   = 120

  # Group metrics in CloudWatch at 1-minute granularity (in-service, pending, terminating...).
  metrics_granularity = "1Minute"
  enabled_metrics = ["GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
  "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"]

  # The version the group runs. Terraform sets it only at creation; releases move it with
  # deploy/scripts/instance-refresh.sh, whose StartInstanceRefresh carries the new version as
  # DesiredConfiguration: AWS switches the group only when the refresh succeeds, so an automatic rollback
  # returns to the previous version. (A refresh triggered by Terraform would switch the group first and
  # "roll back" to the new version: hashicorp/terraform-provider-aws#34189.) Until then scale-out launches
  # the version in service, never an unrolled one.
  launch_template {
    id      = aws_launch_template.proxy.id
    version = aws_launch_template.proxy.latest_version
  }

  # Instances launched with the group read the join token at boot: the role's policy must exist first.
  depends_on = [aws_iam_role_policy.proxy]

  lifecycle {
    # The scaling policy moves desired_capacity and instance-refresh.sh the launch template version; a later
    # apply must undo neither.
    ignore_changes = [desired_capacity, launch_template]

    precondition {
      condition     = var.min_size <= var.desired_capacity && var.desired_capacity <= var.max_size
      error_message = "Expected min_size <= desired_capacity <= max_size."
    }
    precondition {
      condition     = var.drain_delay_seconds >= local.health_interval * local.health_unhealthy_threshold
      error_message = "drain_delay_seconds must cover the NLB noticing /readyz 503 (interval x unhealthy threshold = 10 s)."
    }
  }
}

# Graceful scale-in: a terminating instance (after NLB deregistration) waits in Terminating:Wait until
# lifecycle-drain.sh has stopped the proxy and completed the action. The heartbeat is the upper bound if the
# script dies; CONTINUE then, because holding a broken instance forever helps nobody.
resource "aws_autoscaling_lifecycle_hook" "drain" {
  name                   = local.hook_name
  autoscaling_group_name = aws_autoscaling_group.proxy.name
  lifecycle_transition   = "autoscaling:EC2_INSTANCE_TERMINATING"
  heartbeat_timeout      = local.lifecycle_heartbeat
  default_result         = "CONTINUE"
}

resource "aws_autoscaling_policy" "cpu" {
  name                   = "${var.name}-cpu"
  autoscaling_group_name = aws_autoscaling_group.proxy.name
  policy_type            = "TargetTrackingScaling"
  # New proxies need time to start and warm the JIT before their CPU counts.
  estimated_instance_warmup = 120

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = var.cpu_target_percent
  }
}
