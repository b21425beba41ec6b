# Flyte 2 (flyte-version 2) runs every task pod in one namespace, whatever the run's project and
# domain, so its tasks get one Google account of their own. Never the manager's (iam.tf), which
# writes every object and signs upload URLs. What it may reach, and why: docs/flyte2.md, "Task
# pods' Google access". Nothing here exists for Flyte 1 (flyte2_task_namespace null).

locals {
  flyte2 = var.flyte2_task_namespace != null

  # The manager's data proxy keeps what clients upload (code bundles, offloaded run inputs) under
  # this prefix of the bucket (dataproxy.upload.storagePrefix, "uploads" in the v2.0.42 chart),
  # written through URLs the manager's account signs. Tasks only read it.
  flyte2_uploads_prefix = "uploads/"
}

# "ftask-" and the suffix the other accounts use (iam.tf): 6 + at most 24 characters. No other
# account's prefix is "ftask", and the ID is not the old shared "tasks-" account's, so no ID
# equals another's. test/account-ids.test.ts evaluates it.
resource "google_service_account" "flyte2_tasks" {
  count = local.flyte2 ? 1 : 0

  account_id   = "ftask-${local.account_suffix}"
  display_name = "Flyte 2 tasks (${var.cluster_name})"

  depends_on = [google_project_service.enabled]

  lifecycle {
    # Same rule as the other accounts: an existing account keeps its ID.
    ignore_changes = [account_id]
  }
}

# The task namespace's default service account, which task pods run as when a task names none,
# acts as this account, and nothing else does.
resource "google_service_account_iam_member" "flyte2_tasks_workload_identity" {
  count = local.flyte2 ? 1 : 0

  service_account_id = google_service_account.flyte2_tasks[0].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${local.workload_pool}[${var.flyte2_task_namespace}/default]"

  depends_on = [google_container_cluster.main]
}

# Reading: every object (run inputs, upstream outputs, uploaded code bundles). Not bucket
# metadata, no signing, no logs role.
resource "google_storage_bucket_iam_member" "flyte2_tasks_reader" {
  count = local.flyte2 ? 1 : 0

  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.flyte2_tasks[0].member
}

# Writing, overwriting and deleting: everything but the uploads, so a task cannot replace the
# code bundle another run will execute. Flyte 2 puts each action's outputs, raw data and
# checkpoints under a two-character shard at the bucket's root (executor ComputeActionOutputPath).
resource "google_storage_bucket_iam_member" "flyte2_tasks_writer" {
  count = local.flyte2 ? 1 : 0

  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = google_service_account.flyte2_tasks[0].member

  condition {
    title       = "flyte2-task-data"
    description = "Objects of Flyte 2 runs, except what clients uploaded."
    expression  = "!resource.name.startsWith(\"${local.objects}${local.flyte2_uploads_prefix}\")"
  }
}
