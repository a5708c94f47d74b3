# Instance role: complete the termination lifecycle action of this ASG (lifecycle-drain.sh) and, when the
# artifact is in S3, read that one object at boot; read the join token parameter at boot. Nothing else.

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proxy" {
  name_prefix        = "${var.name}-"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
}

data "aws_iam_policy_document" "proxy" {
  statement {
    sid     = "CompleteOwnLifecycleAction"
    actions = ["autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"]
    # Built from the name, not aws_autoscaling_group.proxy.arn: the ASG must wait for this policy (the first
    # instances read the artifact at boot), so the policy cannot wait for the ASG.
    resources = ["arn:${data.aws_partition.current.partition}:autoscaling:${var.region}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName/${local.asg_name}"]
  }

  statement {
    sid       = "ReadJoinToken"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:${data.aws_partition.current.partition}:ssm:${var.region}:${data.aws_caller_identity.current.account_id}:parameter/${trimprefix(var.join_token_parameter, "/")}"]
  }

  dynamic "statement" {
    for_each = local.is_s3_artifact ? [local.artifact_arn] : []
    content {
      sid       = "ReadReleaseArtifact"
      actions   = ["s3:GetObject"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "proxy" {
  name   = "edgeway-proxy"
  role   = aws_iam_role.proxy.id
  policy = data.aws_iam_policy_document.proxy.json
}

resource "aws_iam_instance_profile" "proxy" {
  name_prefix = "${var.name}-"
  role        = aws_iam_role.proxy.name
}
