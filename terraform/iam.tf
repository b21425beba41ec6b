# Service accounts, one per role: flyte-binary (through workload identity) and nodes. Task pods
# have one account per Flyte domain: task-accounts.tf.

locals {
  # The action passes the name it computes for the values (src/values/names.ts), so both sides
  # use one rule. Used on its own, the module derives it as the chart does: RELEASE-flyte-binary,
  # or RELEASE when the release name already contains the chart name.
  flyte_ksa = var.flyte_service_account_name != "" ? var.flyte_service_account_name : (
    strcontains(var.release_name, "flyte-binary") ? var.release_name : "${var.release_name}-flyte-binary"
  )

  workload_pool = "${var.project_id}.svc.id.goog"

  # Account IDs are PREFIX-SUFFIX, 6 to 30 characters. A name of up to 20 characters is used
  # whole, as earlier versions did. A longer one was cut at 20, so flyte-production-us-east1 and
  # -us-west1 got the same accounts; now it is its first 16 characters and a hash of the whole
  # name, always 30 characters long, which no whole-name ID (at most 26) can equal.
  # test/account-ids.test.ts evaluates this expression.
  account_name_part = trimsuffix(substr(var.cluster_name, 0, 16), "-")
  account_suffix = length(var.cluster_name) <= 20 ? var.cluster_name : format("%s-%s",
  local.account_name_part, substr(sha256(var.cluster_name), 0, 23 - length(local.account_name_part)))
}

resource "google_service_account" "flyte" {
  account_id   = "flyte-${local.account_suffix}"
  display_name = "Flyte on GKE (${var.cluster_name})"

  depends_on = [google_project_service.enabled]

  # An account made when long names were cut at 20 characters keeps its ID (and its bindings)
  # instead of being replaced.
  lifecycle {
    ignore_changes = [account_id]
  }
}

# Read and write Flyte's objects, and read the bucket's own metadata.
resource "google_storage_bucket_iam_member" "flyte_objects" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.flyte.member
}

resource "google_storage_bucket_iam_member" "flyte_bucket_reader" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.legacyBucketReader"
  member = google_service_account.flyte.member
}

# Signed URLs for uploads and downloads are signed by the account itself through the IAM API.
resource "google_service_account_iam_member" "flyte_sign_blobs" {
  service_account_id = google_service_account.flyte.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.flyte.member
}

resource "google_project_iam_member" "flyte_logging" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.flyte.member
}

# flyte-binary's Kubernetes service account acts as the flyte account, and nothing else does.
# A set of one, keyed by the member as earlier versions keyed it, so an upgrade keeps this binding
# in place (the task namespaces' bindings moved to the task accounts).
resource "google_service_account_iam_member" "flyte_workload_identity" {
  for_each = toset(["serviceAccount:${local.workload_pool}[${var.namespace}/${local.flyte_ksa}]"])

  service_account_id = google_service_account.flyte.name
  role               = "roles/iam.workloadIdentityUser"
  member             = each.value

  # The PROJECT.svc.id.goog pool exists only once a cluster with workload identity does.
  depends_on = [google_container_cluster.main]
}

# Every node (Standard pools and Autopilot) runs as a minimal account instead of the Compute
# Engine default (Editor).
resource "google_service_account" "nodes" {
  account_id   = "nodes-${local.account_suffix}"
  display_name = "GKE nodes (${var.cluster_name})"

  depends_on = [google_project_service.enabled]

  # An account made when long names were cut at 20 characters keeps its ID (and its bindings)
  # instead of being replaced.
  lifecycle {
    ignore_changes = [account_id]
  }
}

# GKE's documented minimum for a node service account (logs, metrics, metadata; see
# docs/terraform.md), plus pulling images from Artifact Registry.
resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/container.defaultNodeServiceAccount",
    "roles/artifactregistry.reader",
  ])

  project = var.project_id
  role    = each.value
  member  = google_service_account.nodes.member
}

# Earlier versions made the node account for Standard clusters only (count); keep that one.
moved {
  from = google_service_account.nodes[0]
  to   = google_service_account.nodes
}
