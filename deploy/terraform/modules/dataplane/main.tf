# Edgeway proxy fleet: an Auto Scaling group of stateless proxies behind a Network Load Balancer.
#
# Why an NLB and not an ALB: the proxy itself terminates TLS (SNI, ACME certificates), speaks h2/WebSocket
# and has L4 stream routes, and it should see client addresses. A TCP pass-through NLB keeps all of that;
# an ALB would terminate TLS and HTTP in front of it.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
# The provider's default_tags reach the resources Terraform creates, not the instances the ASG launches:
# they are copied into the launch template's tag_specifications below.
data "aws_default_tags" "current" {}

locals {
  region = data.aws_region.current.name
  # Known before the ASG exists, so the user-data can name the ASG without a dependency cycle.
  asg_name  = "${var.name}-asg"
  hook_name = "${var.name}-drain"

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

  instance_tags = merge(data.aws_default_tags.current.tags, var.tags, {
    Name              = var.name
    "edgeway:role"    = "dataplane"
    "edgeway:release" = var.release_version
  })

  # CloudWatch agent (baked into the AMI) scrapes /metrics and publishes the request counters as EMF here.
  metrics_log_group = "/edgeway/${var.name}/prometheus"
  metrics_namespace = "Edgeway/Proxy"
}
