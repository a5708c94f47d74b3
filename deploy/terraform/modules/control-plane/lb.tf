# Internal NLB in the private subnets: the proxies dial <dns_name>:8005, operators <dns_name>:8001.
resource "aws_lb" "this" {
  name                             = "${var.name}-nlb"
  load_balancer_type               = "network"
  internal                         = true
  subnets                          = var.private_subnet_ids
  security_groups                  = [aws_security_group.lb.id]
  enable_cross_zone_load_balancing = true
}

resource "aws_lb_target_group" "this" {
  for_each    = local.listeners
  name        = "${var.name}-${each.key}"
  vpc_id      = var.vpc_id
  target_type = "instance"
  protocol    = "TCP"
  port        = each.value

  # Proxies reconnect their stream to another replica; 30 s lets admin requests and stream handovers finish.
  deregistration_delay = 30

  health_check {
    protocol            = "HTTP"
    port                = tostring(var.admin_port)
    path                = "/healthz"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_listener" "this" {
  for_each          = local.listeners
  load_balancer_arn = aws_lb.this.arn
  protocol          = "TCP"
  port              = each.value

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }
}
