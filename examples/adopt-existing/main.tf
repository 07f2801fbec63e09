# Adopting a table that already exists outside any CloudFormation stack.
#
# The table `firefly-legacy-sessions` was created by hand (create-table). On the
# first apply the provider sees that the table exists and no stack owns it, plans
# the import path (the plan shows a warning saying so), adopts the table into the
# stack with a CloudFormation IMPORT change set — no item is touched — and then
# applies the configured TTL, protection and tags with a normal stack update.
# `run.sh` next to this file creates the table and a few items first.

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

resource "dynamodb_ttl_table" "legacy_sessions" {
  name       = "firefly-legacy-sessions"
  stack_name = "firefly-dynamodb-legacy-sessions"
  hash_key   = { name = "session_id", type = "S" }
  ttl        = { attribute_name = "expires_at", enabled = true }

  deletion_protection_enabled = true
  tags                        = { app = "firefly" }
}

output "table_arn" {
  value = dynamodb_ttl_table.legacy_sessions.arn
}

output "stack_id" {
  value = dynamodb_ttl_table.legacy_sessions.stack_id
}
