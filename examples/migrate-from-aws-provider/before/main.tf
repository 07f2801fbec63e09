# Where the migration starts: the table as hashicorp/aws manages it today (see ../README.md).
# scripts/run-example.sh migrate-from-aws-provider applies this first, writes items, then
# applies ../main.tf with this state.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
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

provider "aws" {
  region = var.region
  # The emulator answers DynamoDB and STS only: no account ID lookup through IAM there.
  skip_requesting_account_id = var.endpoint != null
  endpoints {
    dynamodb = var.endpoint
    sts      = var.endpoint
  }
}

resource "aws_dynamodb_table" "orders" {
  name         = "firefly-orders-migrated"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "customer_id"
  range_key    = "order_id"

  attribute {
    name = "customer_id"
    type = "S"
  }
  attribute {
    name = "order_id"
    type = "S"
  }
  attribute {
    name = "status"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  global_secondary_index {
    name               = "by_status"
    hash_key           = "status"
    projection_type    = "INCLUDE"
    non_key_attributes = ["total"]
  }

  point_in_time_recovery {
    enabled = true
  }

  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  deletion_protection_enabled = true
  tags                        = { app = "firefly" }
}
