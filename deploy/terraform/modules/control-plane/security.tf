# Who reaches what. Internal NLB: gRPC from the proxies' SG only; the admin API from admin_cidrs and
# admin_security_group_ids only. Replicas: both ports from the NLB only (the NLB has a security group, so the
# rule holds with client IP preservation); out to the database and HTTPS (AWS APIs, ACME).

resource "aws_security_group" "lb" {
  name_prefix = "${var.name}-lb-"
  description = "Edgeway control-plane NLB: gRPC from proxies, admin API from operators"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "instance" {
  name_prefix = "${var.name}-"
  description = "Edgeway control-plane replicas: admin and gRPC from the NLB only"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "grpc_from_proxies" {
  security_group_id            = aws_security_group.lb.id
  description                  = "config stream from the proxies"
  referenced_security_group_id = var.proxy_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.grpc_port
  to_port                      = var.grpc_port
}

resource "aws_vpc_security_group_ingress_rule" "admin_from_cidrs" {
  for_each          = toset(var.admin_cidrs)
  security_group_id = aws_security_group.lb.id
  description       = "admin API from ${each.value}"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.admin_port
  to_port           = var.admin_port
}

resource "aws_vpc_security_group_ingress_rule" "admin_from_groups" {
  for_each                     = toset(var.admin_security_group_ids)
  security_group_id            = aws_security_group.lb.id
  description                  = "admin API from a bastion / CI security group"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = var.admin_port
  to_port                      = var.admin_port
}

resource "aws_vpc_security_group_egress_rule" "lb_to_instances" {
  for_each                     = local.listeners
  security_group_id            = aws_security_group.lb.id
  description                  = "NLB to replicas (${each.key})"
  referenced_security_group_id = aws_security_group.instance.id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

resource "aws_vpc_security_group_ingress_rule" "instances_from_lb" {
  for_each                     = local.listeners
  security_group_id            = aws_security_group.instance.id
  description                  = "${each.key} (and health checks) from the NLB"
  referenced_security_group_id = aws_security_group.lb.id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

resource "aws_vpc_security_group_egress_rule" "to_database_sg" {
  count                        = length(var.database_security_group_ids)
  security_group_id            = aws_security_group.instance.id
  description                  = "PostgreSQL"
  referenced_security_group_id = var.database_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
}

resource "aws_vpc_security_group_egress_rule" "to_database_cidrs" {
  for_each          = toset(var.database_cidrs)
  security_group_id = aws_security_group.instance.id
  description       = "PostgreSQL"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.database_port
  to_port           = var.database_port
}

# AWS APIs (SSM, KMS) and the ACME CAs the control plane orders certificates from.
resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.instance.id
  description       = "HTTPS: AWS APIs, ACME"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
