# Instance role, least privilege: complete the termination lifecycle action of this ASG (lifecycle-drain.sh),
# read the join token parameter and decrypt it with the secrets key (through SSM only, for that parameter only),
# and write the CloudWatch agent's metrics to this fleet's log group. Nothing else.

locals {
  # arn:aws:ssm:REGION:ACCOUNT:parameter/edgeway/join-token -> /edgeway/join-token
  join_token_parameter_name = "/${trimprefix(regex("parameter/(.+)$", var.join_token_parameter_arn)[0], "/")}"
}

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
    # instances read the join token at boot), so the policy cannot wait for the ASG.
    resources = ["arn:${data.aws_partition.current.partition}:autoscaling:${local.region}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName/${local.asg_name}"]
  }

  statement {
    sid       = "ReadJoinToken"
    actions   = ["ssm:GetParameter"]
    resources = [var.join_token_parameter_arn]
  }

  statement {
    sid       = "DecryptJoinToken"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
    # SSM puts the parameter's ARN in the encryption context: this key decrypts the join token and nothing else.
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:PARAMETER_ARN"
      values   = [var.join_token_parameter_arn]
    }
  }

  statement {
    sid       = "PublishMetrics"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.metrics.arn}:*"]
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
