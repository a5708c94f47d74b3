terraform {
  # 1.11+: write-only arguments keep the secrets out of the state.
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.89, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region

  # Reach every resource, and (through the modules' launch templates) every instance and volume.
  default_tags {
    tags = merge(var.tags, { "edgeway:deployment" = var.name })
  }
}
