# Orders by customer, with the indexes the order service queries: orders by status
# (newest first within a status), an order by its id alone, and a customer's orders by
# creation time. Changes are streamed to consumers (NEW_AND_OLD_IMAGES), the table is
# encrypted with the AWS managed KMS key, and old orders are rarely read
# (STANDARD_INFREQUENT_ACCESS). Index changes are applied one per stack update.

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

resource "dynamodb_ttl_table" "orders" {
  name      = "firefly-orders"
  hash_key  = { name = "customer_id", type = "S" }
  range_key = { name = "order_id", type = "S" }
  ttl       = { attribute_name = "expires_at" }

  global_secondary_indexes = [
    {
      name               = "by_status"
      hash_key           = { name = "status", type = "S" }
      range_key          = { name = "created_at", type = "N" }
      projection_type    = "INCLUDE"
      non_key_attributes = ["total", "currency"]
    },
    {
      name            = "by_order_id"
      hash_key        = { name = "order_id", type = "S" }
      projection_type = "KEYS_ONLY"
    },
  ]

  # LSIs exist only from the table's creation: changing them replaces the table.
  local_secondary_indexes = [
    { name = "by_created_at", range_key = { name = "created_at", type = "N" } },
  ]

  stream                 = { view_type = "NEW_AND_OLD_IMAGES" }
  server_side_encryption = { kms_key_arn = null } # the AWS managed key
  table_class            = "STANDARD_INFREQUENT_ACCESS"

  deletion_protection_enabled = true
  point_in_time_recovery      = true
  tags                        = { app = "firefly", purpose = "orders" }
}

output "table_arn" {
  value = dynamodb_ttl_table.orders.arn
}

output "stream_arn" {
  value = dynamodb_ttl_table.orders.stream_arn
}
