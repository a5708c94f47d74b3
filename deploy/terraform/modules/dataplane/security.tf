# Two security groups: the NLB's (clients in, proxies out) and the proxies' (only the NLB in; out to the
# control plane, the upstreams and HTTPS for bootstrap and the AWS APIs).

resource "aws_security_group" "lb" {
  name_prefix = "${var.name}-lb-"
  description = "Edgeway NLB: client listeners in, proxy ports out"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "proxy" {
  name_prefix = "${var.name}-"
  description = "Edgeway proxies: traffic and health checks from the NLB only"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = length(var.control_plane_security_group_ids) + length(var.control_plane_cidrs) > 0
      error_message = "The proxies need a way to the control plane: control_plane_security_group_ids or control_plane_cidrs."
    }
  }
}

locals {
  # NLB listener port => instance port; HTTPS only when the proxy has a TLS port.
  listeners = {
    for name, l in {
      http  = { lb_port = 80, instance_port = var.proxy_port }
      https = { lb_port = 443, instance_port = var.proxy_tls_port }
    } : name => l if l.instance_port != null
  }
  # One rule per (client CIDR, listener port).
  client_rules = {
    for pair in setproduct(var.allowed_client_cidrs, keys(local.listeners)) :
    "${pair[1]}-${pair[0]}" => { cidr = pair[0], port = local.listeners[pair[1]].lb_port }
  }
  # Ports the NLB reaches on the instances: the proxy port(s) and the status port (/readyz health check).
  # (for_each needs strings)
  instance_ports = toset([for p in concat([for l in values(local.listeners) : l.instance_port], [var.status_port]) : tostring(p)])
}

resource "aws_vpc_security_group_ingress_rule" "lb_clients" {
  for_each          = local.client_rules
  security_group_id = aws_security_group.lb.id
  description       = "clients to the ${each.key} listener"
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "lb_to_proxy" {
  for_each                     = local.instance_ports
  security_group_id            = aws_security_group.lb.id
  description                  = "NLB to proxy port ${each.value}"
  referenced_security_group_id = aws_security_group.proxy.id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

# With client IP preservation the packets carry the client's address, but an NLB that has a security group
# can be referenced here, so the proxies accept traffic that came through the NLB and nothing else.
resource "aws_vpc_security_group_ingress_rule" "proxy_from_lb" {
  for_each                     = local.instance_ports
  security_group_id            = aws_security_group.proxy.id
  description                  = "NLB to proxy port ${each.value} (traffic and /readyz)"
  referenced_security_group_id = aws_security_group.lb.id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

# gRPC to the control plane: to its internal NLB's security group (same VPC), or to CIDRs (elsewhere).
resource "aws_vpc_security_group_egress_rule" "proxy_to_control_plane_sg" {
  count                        = length(var.control_plane_security_group_ids)
  security_group_id            = aws_security_group.proxy.id
  description                  = "config stream (gRPC) to the control plane's NLB"
  referenced_security_group_id = var.control_plane_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = local.control_plane_port
  to_port                      = local.control_plane_port
}

resource "aws_vpc_security_group_egress_rule" "proxy_to_control_plane" {
  for_each          = toset(var.control_plane_cidrs)
  security_group_id = aws_security_group.proxy.id
  description       = "config stream (gRPC) to the control plane"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = local.control_plane_port
  to_port           = local.control_plane_port
}

resource "aws_vpc_security_group_egress_rule" "proxy_to_upstreams" {
  for_each          = toset(var.upstream_cidrs)
  security_group_id = aws_security_group.proxy.id
  description       = "proxied traffic to upstream targets (ports come from routes)"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 1
  to_port           = 65535
}

# The AWS APIs (SSM, KMS, Auto Scaling, CloudWatch Logs); no package mirrors: nothing is installed at boot.
# Narrow this to VPC endpoint prefix lists where the VPC has them. (DNS, IMDS and NTP at 169.254.x are not
# filtered by SGs.)
resource "aws_vpc_security_group_egress_rule" "proxy_https" {
  security_group_id = aws_security_group.proxy.id
  description       = "HTTPS: AWS APIs"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
