resource "aws_launch_template" "this" {
  name_prefix   = "${var.name}-"
  image_id      = var.ami_id
  instance_type = var.instance_type

  vpc_security_group_ids = [aws_security_group.instance.id]

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

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

  # Parameter names and addresses only: the values are read from SSM at every boot (edgeway-secrets.service).
  user_data = base64encode(templatefile("${path.module}/user-data.yaml.tftpl", {
    release_version = var.release_version
    database_url    = var.database_url
    database_user   = var.database_user
    admin_port      = var.admin_port
    grpc_port       = var.grpc_port
    grpc_tls_names  = join(",", concat([aws_lb.this.dns_name], var.grpc_tls_names))
    secret_names    = local.secret_names
    region          = local.region
  }))

  update_default_version = true

  dynamic "tag_specifications" {
    for_each = ["instance", "volume", "network-interface"]
    content {
      resource_type = tag_specifications.value
      tags          = local.instance_tags
    }
  }
}

resource "aws_autoscaling_group" "this" {
  name                = local.asg_name
  vpc_zone_identifier = var.private_subnet_ids
  min_size            = var.replicas
  max_size            = var.replicas
  desired_capacity    = var.replicas
  target_group_arns   = [for tg in aws_lb_target_group.this : tg.arn]

  health_check_type         = "ELB"
  health_check_grace_period = 180
  default_instance_warmup   = 60

  metrics_granularity = "1Minute"
  enabled_metrics     = ["GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances"]

  # Set at creation only; releases move it with deploy/scripts/instance-refresh.sh (see the dataplane module:
  # a refresh triggered by Terraform could not roll back, hashicorp/terraform-provider-aws#34189).
  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  # The first replicas read their secrets at boot: the role's policy must exist first.
  depends_on = [aws_iam_role_policy.this]

  lifecycle {
    ignore_changes = [launch_template]

    # Here, not on the security group: the database's own rule depends on that group.
    precondition {
      condition     = length(var.database_security_group_ids) + length(var.database_cidrs) > 0
      error_message = "The control plane needs a way to its database: database_security_group_ids or database_cidrs."
    }
  }
}

# A replica failing /healthz (database unreachable, bad secrets): rolls an instance refresh back.
resource "aws_cloudwatch_metric_alarm" "unhealthy" {
  alarm_name          = "${var.name}-unhealthy-hosts"
  alarm_description   = "Edgeway control-plane replicas failing /healthz"
  namespace           = "AWS/NetworkELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.this["admin"].arn_suffix
  }
}
