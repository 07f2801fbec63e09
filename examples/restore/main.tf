# Restoring a table from a backup into a stack this configuration owns.
#
# `firefly-orders-live` is a table with items and an on-demand backup (made outside
# Terraform: scripts/run-example.sh makes both first and passes the backup's ARN as
# TF_VAR_backup_arn). The apply restores the backup into `firefly-orders-restored`
# (RestoreTableFromBackup, with the configured billing mode, encryption and indexes: the
# source's index `by_customer` is left out), waits until the table is ACTIVE, adopts it into
# the stack below with a CloudFormation IMPORT change set, then sets what a restore does not
# carry — Time to Live, tags, the stream, point-in-time recovery, deletion protection — with
# a stack update. The table ends as configured, owned by its stack, with the backup's items;
# the next plan is empty. `restore` is used only when the table is created: changing it
# later changes nothing (the plan says so). To restore a point in time of a table with
# point-in-time recovery instead:
#   restore = { source_table_name = "firefly-orders-live", use_latest_restorable_time = true }
#   restore = { source_table_name = "firefly-orders-live", point_in_time = "2026-12-01T10:00:00Z" }
# (docs/resource.md, "Restore").

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

variable "backup_arn" {
  description = "ARN of the backup of firefly-orders-live to restore (aws dynamodb list-backups)."
  type        = string
}

provider "dynamodb" {
  region = var.region
  endpoints {
    dynamodb       = var.endpoint
    cloudformation = var.endpoint
    sts            = var.endpoint
  }
}

resource "dynamodb_ttl_table" "orders_restored" {
  name       = "firefly-orders-restored"
  stack_name = "firefly-dynamodb-orders-restored"
  hash_key   = { name = "order_id", type = "S" }
  ttl        = { attribute_name = "expires_at" }

  global_secondary_indexes = [
    { name = "by_status", hash_key = { name = "status", type = "S" }, projection_type = "KEYS_ONLY" },
  ]

  stream                      = { view_type = "NEW_AND_OLD_IMAGES" }
  point_in_time_recovery      = true
  deletion_protection_enabled = true
  tags                        = { app = "firefly", restored_from = "nightly" }

  restore = { backup_arn = var.backup_arn }
}

output "table_arn" {
  value = dynamodb_ttl_table.orders_restored.arn
}

output "stack_id" {
  value = dynamodb_ttl_table.orders_restored.stack_id
}
