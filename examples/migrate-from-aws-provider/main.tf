# Migrating a table from hashicorp/aws's aws_dynamodb_table to dynamodb_ttl_table with a
# `moved` block (Terraform 1.8 or later; docs/migrating.md, recipe 1). before/main.tf is
# the configuration this one replaces; README.md has the steps.
#
# The plan shows dynamodb_ttl_table.orders "(moved from aws_dynamodb_table.orders)" as an
# update in place; the apply adopts the table into stack firefly-dynamodb-orders-migrated
# with a CloudFormation IMPORT change set (no item is touched). hashicorp/aws keeps no
# trace of the table in the state, so nothing of it can delete the table.

terraform {
  required_providers {
    # Still installed for this first plan: the state names it until the move is applied.
    aws      = { source = "hashicorp/aws", version = "~> 5.0" }
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

moved {
  from = aws_dynamodb_table.orders
  to   = dynamodb_ttl_table.orders
}

resource "dynamodb_ttl_table" "orders" {
  name       = "firefly-orders-migrated"
  stack_name = "firefly-dynamodb-orders-migrated"
  hash_key   = { name = "customer_id", type = "S" }
  range_key  = { name = "order_id", type = "S" }
  ttl        = { attribute_name = "expires_at" }
  stream     = { view_type = "NEW_AND_OLD_IMAGES" }

  global_secondary_indexes = [
    {
      name               = "by_status"
      hash_key           = { name = "status", type = "S" }
      projection_type    = "INCLUDE"
      non_key_attributes = ["total"]
    },
  ]

  point_in_time_recovery      = true
  deletion_protection_enabled = true
  tags                        = { app = "firefly" }
}

output "stack_id" {
  value = dynamodb_ttl_table.orders.stack_id
}

output "stream_arn" {
  value = dynamodb_ttl_table.orders.stream_arn
}
