terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.64+: what this is tested with (NLB security groups, security-group rule resources).
      version = ">= 5.64, < 7.0"
    }
  }
}
