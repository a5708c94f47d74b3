terraform {
  # 1.5+ is what this is tested with (fmt); nothing newer than startswith()/trimprefix() is used.
  required_version = ">= 1.5.0, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.40+: security-group rule resources, NLB security groups and instance_refresh preferences used here.
      version = ">= 5.40, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "edgeway:fleet" = var.name })
  }
}
