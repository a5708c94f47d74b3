terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.64+: instance_refresh max_healthy_percentage (launch before terminate).
      version = ">= 5.64, < 7.0"
    }
  }
}
