terraform {
  # 1.11+: write-only arguments (value_wo), so secret values never reach the state file.
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.89+: aws_ssm_parameter.value_wo
      version = ">= 5.89, < 7.0"
    }
  }
}
