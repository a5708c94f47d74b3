variable "name" {
  description = "Prefix for every resource; also the ASG name. Lowercase, digits, dashes."
  type        = string
  default     = "edgeway-proxy"

  validation {
    # "<name>-https" is a target group name: at most 32 characters.
    condition     = can(regex("^[a-z][a-z0-9-]{1,25}$", var.name))
    error_message = "name: 2-26 chars of [a-z0-9-] starting with a letter (target group names are limited to 32 chars)."
  }
}

variable "tags" {
  description = "Extra tags on the instances and volumes (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  type = string
}

variable "private_subnet_ids" {
  description = "Subnets for the proxy instances, one per AZ (private, with a NAT or VPC endpoints for the AWS APIs)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids: at least 2 subnets so the fleet survives an AZ outage."
  }
}

variable "public_subnet_ids" {
  description = "Subnets for the internet-facing NLB (public subnets, one per AZ). Ignored when internal_lb."
  type        = list(string)
  default     = []
}

variable "internal_lb" {
  description = "Make the load balancer internal (placed in private_subnet_ids, no public addresses)."
  type        = bool
  default     = false
}

variable "allowed_client_cidrs" {
  description = "Who may reach the proxy listeners through the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "ami_id" {
  description = "AMI built by deploy/packer/edgeway.pkr.hcl (Debian 12, Java runtime and the edgeway package of release_version)."
  type        = string
}

variable "release_version" {
  description = "The edgeway package version baked into ami_id. Boot refuses an AMI with another version, so the launch template pins one release."
  type        = string

  validation {
    condition     = can(regex("^[0-9][0-9A-Za-z.+~-]*$", var.release_version))
    error_message = "release_version: a Debian package version, e.g. 1.4.0."
  }
}

variable "root_device_name" {
  description = "Root device of the AMI (/dev/xvda on Debian)."
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
  type    = number
  default = 10
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
  description = "Control-plane gRPC address host:port the proxies dial (the control-plane module's grpc_address)."
  type        = string

  validation {
    condition     = can(regex("^[^:]+:[0-9]{1,5}$", var.control_plane_address))
    error_message = "control_plane_address: expected host:port, e.g. cp.internal.example.com:8005."
  }
}

variable "control_plane_security_group_ids" {
  description = "Security group of the control plane's internal NLB: the proxies' gRPC egress points at it. A list, so its length is known at plan even when the id is not."
  type        = list(string)
  default     = []
}

variable "control_plane_cidrs" {
  description = "Alternatively (a control plane outside this VPC), CIDRs for the proxies' gRPC egress."
  type        = list(string)
  default     = []
}

variable "join_token_parameter_arn" {
  description = "ARN of the SSM SecureString parameter holding the join token (secrets module output)."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+$", var.join_token_parameter_arn))
    error_message = "join_token_parameter_arn: expected arn:aws:ssm:REGION:ACCOUNT:parameter/NAME."
  }
}

variable "secrets_kms_key_arn" {
  description = "KMS key the join token parameter is encrypted with (secrets module output)."
  type        = string
}

variable "upstream_cidrs" {
  description = "CIDRs of the upstream targets the proxies forward to (any TCP port, set by routes)."
  type        = list(string)
}

variable "proxy_port" {
  description = "Proxy HTTP port on the instances (EDGEWAY_PROXY_PORT); the NLB's port 80 forwards here."
  type        = number
  default     = 8000
}

variable "proxy_tls_port" {
  description = "Proxy HTTPS port on the instances (EDGEWAY_TLS_PORT, e.g. 8443); when set, the NLB's port 443 forwards here and TLS ends in the proxy. Null = HTTP listener only."
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

  # Checked here rather than as a precondition: the target group's own limit would fail first, less clearly.
  validation {
    condition     = var.drain_timeout_seconds >= 0 && var.drain_delay_seconds + var.drain_timeout_seconds + 5 <= 3600
    error_message = "Drain too long: the NLB deregistration delay (drain delay + timeout + 5 s) is at most 3600 s."
  }
}

variable "refresh_checkpoints" {
  description = "Instance refresh pauses after replacing these percentages of the fleet (the last must be 100)."
  type        = list(number)
  default     = [10, 50, 100]
}

variable "refresh_checkpoint_delay_seconds" {
  description = "Pause at each checkpoint: time for the alarms to see the new instances' 5xx."
  type        = number
  default     = 300
}

variable "error_rate_alarm_threshold" {
  description = "5xx share of the fleet's responses (0-1) that puts the 5xx alarm in ALARM (and rolls a refresh back)."
  type        = number
  default     = 0.05
}
