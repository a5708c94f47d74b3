# Edgeway control plane: replicas in an Auto Scaling group over two or more AZs, behind an internal NLB with
# the admin API (8001: operators, CI) and the gRPC config stream (8005: proxies only). PostgreSQL and the
# secrets come from the database and secrets modules (or an existing database by URL).

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_default_tags" "current" {}

locals {
  region   = data.aws_region.current.name
  asg_name = "${var.name}-asg"

  # The NLB's listeners; the target port is the same on the instances. Both are health-checked on the admin
  # port's /healthz: a replica that cannot serve the API is not trusted with the config stream either.
  listeners = {
    admin = var.admin_port
    grpc  = var.grpc_port
  }

  # SSM parameter name (/edgeway/master-key) of each secret, from its ARN.
  secret_names = { for k, arn in var.secret_parameter_arns : k => "/${trimprefix(regex("parameter/(.+)$", arn)[0], "/")}" }

  instance_tags = merge(data.aws_default_tags.current.tags, var.tags, {
    Name              = var.name
    "edgeway:role"    = "control-plane"
    "edgeway:release" = var.release_version
  })
}
