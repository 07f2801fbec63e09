# Per-file processing results keyed by `file_key`, billed per request. Results
# expire through Time to Live on `expires_at`.

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

resource "dynamodb_ttl_table" "processing_results" {
  name         = "firefly-processing-results"
  hash_key     = { name = "file_key", type = "S" }
  billing_mode = "PAY_PER_REQUEST"
  ttl          = { attribute_name = "expires_at" }

  # A results table is rebuilt from its sources; it may be destroyed.
  deletion_protection_enabled = false
  point_in_time_recovery      = false
  tags                        = { app = "firefly", purpose = "processing-results" }
}

output "table_arn" {
  value = dynamodb_ttl_table.processing_results.arn
}

output "stack_name" {
  value = dynamodb_ttl_table.processing_results.stack_name
}
