resource "aws_lb" "this" {
  name               = "${var.name}-nlb"
  load_balancer_type = "network"
  internal           = var.internal_lb
  # Internet-facing: public subnets; internal: the proxies' private subnets.
  subnets                          = var.internal_lb ? var.private_subnet_ids : var.public_subnet_ids
  security_groups                  = [aws_security_group.lb.id]
  enable_cross_zone_load_balancing = true

  lifecycle {
    precondition {
      condition     = var.internal_lb || length(var.public_subnet_ids) >= 2
      error_message = "An internet-facing load balancer needs public_subnet_ids (at least 2, in the proxies' AZs); or set internal_lb = true."
    }
  }
}

# One target group per listener, both health-checked on the status port's /readyz: 503 until the proxy has
# applied a config and again as soon as it starts draining, so the NLB only sends traffic to ready proxies.
resource "aws_lb_target_group" "proxy" {
  for_each    = local.listeners
  name        = "${var.name}-${each.key}"
  vpc_id      = var.vpc_id
  target_type = "instance"
  protocol    = "TCP"
  port        = each.value.instance_port

  # Deregistration (scale-in, instance refresh) waits this long for open connections before the lifecycle
  # hook runs; it covers the proxy's own drain (delay + timeout), so neither side cuts requests short.
  deregistration_delay = local.deregistration_delay
  preserve_client_ip   = "true"

  health_check {
    protocol            = "HTTP"
    port                = tostring(var.status_port)
    path                = "/readyz"
    matcher             = "200"
    interval            = local.health_interval
    timeout             = 4
    healthy_threshold   = 2
    unhealthy_threshold = local.health_unhealthy_threshold
  }
}

resource "aws_lb_listener" "proxy" {
  for_each          = local.listeners
  load_balancer_arn = aws_lb.this.arn
  protocol          = "TCP"
  port              = each.value.lb_port

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.proxy[each.key].arn
  }
}
