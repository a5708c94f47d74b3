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

  user_data = base64encode(templatefile("${path.module}/user-data.yaml.tftpl", {
    artifact_url          = var.artifact_url
    jdk_package           = var.jdk_package
    control_plane_address = var.control_plane_address
    join_token_parameter  = var.join_token_parameter
    proxy_port            = var.proxy_port
    status_port           = var.status_port
    drain_delay_seconds   = var.drain_delay_seconds
    drain_timeout_seconds = var.drain_timeout_seconds
    asg_name              = local.asg_name
    hook_name             = local.hook_name
    region                = var.region
  }))

  # A new version (AMI, user-data, artifact URL) triggers the instance refresh on the ASG below.
  update_default_version = true

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = var.name }
  }
}

resource "aws_autoscaling_group" "proxy" {
  name                = local.asg_name
  vpc_zone_identifier = var.subnet_ids
  min_size            = var.min_size
  max_size            = var.max_size
  desired_capacity    = var.desired_capacity
  target_group_arns   = [for tg in aws_lb_target_group.proxy : tg.arn]

  # Replace instances the NLB finds unready for long, not just dead VMs. The grace period covers boot:
  # cloud-init installs the JDK and the release, then the proxy fetches its first config.
  health_check_type         = "ELB"
  health_check_grace_period = 300

  launch_template {
    id      = aws_launch_template.proxy.id
    version = aws_launch_template.proxy.latest_version
  }

  # Rolling deploys: a new launch template version (here) or `aws autoscaling start-instance-refresh` (CI,
  # after publishing a release) replaces instances a few at a time, keeping 90 % of capacity in service.
  # Each replaced instance goes through the drain below, so a rollout drops no requests.
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 90
      instance_warmup        = 120
      skip_matching          = false
    }
  }

  tag {
    key                 = "Name"
    value               = var.name
    propagate_at_launch = true
  }

  # Instances launched with the group read the artifact at boot: the role's policy must exist first.
  depends_on = [aws_iam_role_policy.proxy]

  lifecycle {
    # The scaling policy moves desired_capacity; a later apply must not undo it.
    ignore_changes = [desired_capacity]

    precondition {
      condition     = var.min_size <= var.desired_capacity && var.desired_capacity <= var.max_size
      error_message = "Expected min_size <= desired_capacity <= max_size."
    }
    precondition {
      condition     = var.drain_delay_seconds >= local.health_interval * local.health_unhealthy_threshold
      error_message = "drain_delay_seconds must cover the NLB noticing /readyz 503 (interval x unhealthy threshold = 10 s)."
    }
    precondition {
      condition     = local.deregistration_delay <= 3600 && local.lifecycle_heartbeat <= 7200
      error_message = "Drain too long: the NLB deregistration delay is at most 3600 s, the lifecycle heartbeat 7200 s."
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
  # New proxies need time to boot and warm the JIT before their CPU counts.
  estimated_instance_warmup = 180

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = var.cpu_target_percent
  }
}
