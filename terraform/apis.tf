# The APIs a fresh project needs. They stay enabled on destroy: other workloads may use them.

locals {
  base_services = [
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "serviceusage.googleapis.com",
    "sqladmin.googleapis.com",
    "storage.googleapis.com",
  ]
  services = toset(concat(local.base_services, var.iap ? ["iap.googleapis.com"] : []))
}

resource "google_project_service" "enabled" {
  for_each = local.services

  service                    = each.value
  disable_on_destroy         = false
  disable_dependent_services = false
}
