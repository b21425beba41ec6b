# The bucket Flyte keeps metadata and user data in.

locals {
  bucket_name = var.bucket_name != "" ? var.bucket_name : trimsuffix(substr("${var.project_id}-${var.cluster_name}-flyte", 0, 63), "-")
}

resource "google_storage_bucket" "data" {
  name     = local.bucket_name
  location = var.region

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # Objects are kept unless deletion protection was lifted (destroy does that first).
  force_destroy = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}
