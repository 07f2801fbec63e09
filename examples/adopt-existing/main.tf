# Adopting a table that already exists outside any CloudFormation stack.
#
# The table `firefly-legacy-sessions` was created by hand (create-table), and
# scripts/run-example.sh creates it with a few items first. The `import` block brings
# it into the state (like `terraform import dynamodb_ttl_table.legacy_sessions
# firefly-legacy-sessions`); the table is in no stack yet, and its stack name of our
# own below is where the apply adopts it: an in-place update, never a replacement.
# The plan's warning lists every setting the adoption changes ("current ->
# configured"); the apply imports the table into the stack with a CloudFormation
# IMPORT change set — no item is touched — then applies the configured TTL,
# protection and tags with a stack update (docs/resource.md, "Ownership and safety").

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

import {
  to = dynamodb_ttl_table.legacy_sessions
  id = "firefly-legacy-sessions"
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
