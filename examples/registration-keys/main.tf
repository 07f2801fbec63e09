# One-time registration keys that expire 30 minutes after they are issued: the
# application writes `expires_at` (epoch seconds, now + 1800) on every item and
# DynamoDB's Time to Live deletes expired keys. Deletion protection stays on.

terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "endpoint" {
  description = "AWS endpoint override (the local emulator); null for real AWS."
  type        = string
  default     = null
}

provider "dynamodb" {
  region = var.region
  endpoints {
    dynamodb       = var.endpoint
    cloudformation = var.endpoint
    sts            = var.endpoint
  }
}

resource "dynamodb_ttl_table" "registration_keys" {
  name       = "firefly-registration-keys"
  stack_name = "firefly-dynamodb-registration-keys"
  hash_key   = { name = "registration_key", type = "S" }
  ttl        = { attribute_name = "expires_at", enabled = true }

  deletion_protection_enabled = true
  tags                        = { app = "firefly", purpose = "registration-keys" }
  timeouts                    = { create = "30m", delete = "30m" }
}

output "table_arn" {
  value = dynamodb_ttl_table.registration_keys.arn
}

output "stack_id" {
  value = dynamodb_ttl_table.registration_keys.stack_id
}

output "ttl_status" {
  value = dynamodb_ttl_table.registration_keys.ttl_status
}
