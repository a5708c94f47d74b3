# Edgeway proxy fleet: an Auto Scaling group of stateless proxies behind a Network Load Balancer.
#
# Why an NLB and not an ALB: the proxy itself terminates TLS (SNI, ACME certificates), speaks h2/WebSocket
# and has L4 stream routes, and it should see client addresses. A TCP pass-through NLB keeps all of that;
# an ALB would terminate TLS and HTTP in front of it.

locals {
  # Known before the ASG exists, so the user-data can name the ASG without a dependency cycle.
  asg_name  = "${var.name}-asg"
  hook_name = "${var.name}-drain"

  lb_subnet_ids      = length(var.lb_subnet_ids) > 0 ? var.lb_subnet_ids : var.subnet_ids
  control_plane_port = tonumber(regex(":([0-9]+)$", var.control_plane_address)[0])

  # NLB health check on /readyz: a proxy that turned 503 is out after interval x threshold seconds.
  health_interval            = 5
  health_unhealthy_threshold = 2

  # Proxy stop = drain delay + drain timeout. Everything that waits for a draining proxy waits longer.
  drain_seconds = var.drain_delay_seconds + var.drain_timeout_seconds
  # The NLB stops new connections at deregistration and waits this long for open ones.
  deregistration_delay = local.drain_seconds + 5
  # The lifecycle hook holds the instance while lifecycle-drain.sh stops the proxy; generous margin so a
  # slow stop never gets cut off by the hook's default action.
  lifecycle_heartbeat = local.drain_seconds + 60

  is_s3_artifact = startswith(var.artifact_url, "s3://")
  # arn:aws:s3:::bucket/key for s3://bucket/key
  artifact_arn = local.is_s3_artifact ? "arn:${data.aws_partition.current.partition}:s3:::${trimprefix(var.artifact_url, "s3://")}" : null
}

data "aws_partition" "current" {}
