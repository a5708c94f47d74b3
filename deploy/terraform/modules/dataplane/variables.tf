variable "name" {
  description = "Prefix for every resource; also the ASG name suffix. Lowercase, digits, dashes."
  type        = string
  default     = "edgeway-proxy"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2-21 chars of [a-z0-9-] starting with a letter (LB names are limited to 32 chars)."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  description = "VPC for the proxies and the load balancer."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets for the proxy instances, one per AZ (private subnets with a NAT or VPC endpoints)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids: at least 2 subnets so the fleet survives an AZ outage."
  }
}

variable "lb_subnet_ids" {
  description = "Subnets for the NLB (public subnets for an internet-facing LB). Defaults to subnet_ids."
  type        = list(string)
  default     = []
}

variable "internal_lb" {
  description = "Make the load balancer internal (no public addresses)."
  type        = bool
  default     = false
}

variable "allowed_client_cidrs" {
  description = "Who may reach the proxy listeners through the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "ami_id" {
  description = "AMI for the proxies: Debian 12 (or Ubuntu) with cloud-init; the user-data uses apt."
  type        = string
}

variable "root_device_name" {
  description = "Root device of the AMI (/dev/xvda on Debian and Amazon Linux, /dev/sda1 on Ubuntu)."
  type        = string
  default     = "/dev/xvda"
}

variable "instance_type" {
  description = "Instance type. The proxy is CPU-bound; compute-optimised types fit best."
  type        = string
  default     = "c6i.large"
}

variable "min_size" {
  description = "Fewest proxies. Keep >= 2 so one AZ or one instance refresh step never empties the fleet."
  type        = number
  default     = 2
}

variable "max_size" {
  description = "Most proxies."
  type        = number
  default     = 10
}

variable "desired_capacity" {
  description = "Initial number of proxies; afterwards the scaling policy owns it (Terraform ignores drift)."
  type        = number
  default     = 3
}

variable "cpu_target_percent" {
  description = "Target-tracking scaling keeps average CPU around this value."
  type        = number
  default     = 50
}

variable "control_plane_address" {
  description = "Control-plane gRPC address host:port the proxies connect to (e.g. an internal NLB, port 8005)."
  type        = string

  validation {
    condition     = can(regex("^[^:]+:[0-9]{1,5}$", var.control_plane_address))
    error_message = "control_plane_address: expected host:port, e.g. cp.internal.example.com:8005."
  }
}

variable "join_token_parameter" {
  description = "Name of an SSM SecureString parameter holding a join token (`edgeway ctl join-token create --ttl 30d`); each new proxy exchanges it for its own client certificate. Rotate it before it expires; proxies that joined keep renewing without it."
  type        = string

  validation {
    condition     = can(regex("^/?[A-Za-z0-9_.\\-/]+$", var.join_token_parameter))
    error_message = "join_token_parameter: expected an SSM parameter name, e.g. /edgeway/join-token."
  }
}

variable "control_plane_cidrs" {
  description = "CIDRs of the control plane (or its LB) for the proxies' egress rule on the gRPC port."
  type        = list(string)
}

variable "upstream_cidrs" {
  description = "CIDRs of the upstream targets the proxies forward to (any TCP port, set by routes)."
  type        = list(string)
}

variable "artifact_url" {
  description = "Release tarball (s3://bucket/key or https://...). Instances download it at boot."
  type        = string

  validation {
    condition     = can(regex("^(s3|https)://", var.artifact_url))
    error_message = "artifact_url: must start with s3:// or https://."
  }
}

variable "jdk_package" {
  description = "Java runtime package installed at boot (17+)."
  type        = string
  default     = "openjdk-17-jre-headless"
}

variable "proxy_port" {
  description = "Proxy HTTP port on the instances (EDGEWAY_PROXY_PORT); the NLB's port 80 forwards here."
  type        = number
  default     = 8000
}

variable "proxy_tls_port" {
  description = "Proxy HTTPS port on the instances (8443); when set, the NLB's port 443 forwards here and TLS ends in the proxy. Null = HTTP listener only."
  type        = number
  default     = null
}

variable "status_port" {
  description = "Proxy status port (/healthz, /readyz, /metrics); the NLB health check uses /readyz here."
  type        = number
  default     = 8100
}

variable "drain_delay_seconds" {
  description = "EDGEWAY_DRAIN_DELAY: after SIGTERM, seconds the proxy keeps serving with /readyz 503. At least the health-check interval x unhealthy threshold (10 s), so a stop outside a scale-in (restart, reboot) is noticed by the NLB before the proxy stops accepting."
  type        = number
  default     = 10
}

variable "drain_timeout_seconds" {
  description = "EDGEWAY_DRAIN_TIMEOUT: after the delay, seconds to wait for in-flight requests."
  type        = number
  default     = 30
}
